package io.gridvec.shard.catalog;

import io.gridvec.shard.catalog.CatalogEntry.State;
import io.gridvec.shard.layout.VersionStamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.cache.expiry.ModifiedExpiryPolicy;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObjectException;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.QueryEntity;
import org.apache.ignite.cache.QueryIndex;
import org.apache.ignite.cache.affinity.rendezvous.RendezvousAffinityFunction;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * The cluster's collections. Each has an entry in the persistent, replicated catalog cache ({@link CatalogEntry}, JSON)
 * and a PARTITIONED cache {@code gv_<name>} with its own partition count and backups, written FULL_SYNC.
 *
 * <p>A collection's cache lives only within its entry's lifetime, and one actor at a time creates or destroys it. A
 * create claims the free name (CREATING), creates the cache, checks the cache's configuration and makes the entry
 * ACTIVE; a delete claims the ACTIVE entry (DELETING), destroys the cache and removes the entry. Every change is a
 * compare-and-set on the exact previous entry. A request that finds another actor's step waits for it (up to
 * {@link #WAIT_FOR_OTHER_STEP}); a step whose owner is gone (its node left the topology, or its step on this node
 * ended) is finished by whoever finds it, or by {@link #finishInterrupted()}. Readers see ACTIVE entries only.
 * Thread-safe.
 */
public final class CollectionCatalog {

    /** The SQL schema of every collection's table. */
    public static final String SQL_SCHEMA = "GRIDVEC";

    /** How long a create or delete waits for another actor's step on the same name before answering busy. */
    static final Duration WAIT_FOR_OTHER_STEP = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 50;
    private static final System.Logger LOG = System.getLogger(CollectionCatalog.class.getName());

    private final Ignite ignite;
    private final CatalogStore store;
    /**
     * The last entry parsed per name, with the exact text it was parsed from: every search reads its collection's
     * spec, and a local read of the replicated catalog plus a string compare is far cheaper than parsing JSON.
     */
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

    private record Parsed(String json, CatalogEntry entry) {}

    /** How a create request was applied. */
    public enum Created { CREATED, ALREADY_EXISTED }

    /** Creates the catalog over a node; the catalog cache is made on first use, once the cluster is active. */
    public CollectionCatalog(Ignite ignite) {
        this.ignite = ignite;
        this.store = new CatalogStore(ignite);
    }

    /**
     * Creates a collection, or does nothing when one with an equal spec exists. A create whose owner is gone is
     * completed when its spec is equal (CREATED) and removed first when it is not; a delete whose owner is gone is
     * finished first.
     *
     * @param spec a spec returned by {@link CollectionSpec#validated()}
     * @throws CollectionConflictException when the collection exists with another spec, or its cache name is taken
     *     by an Ignite cache without a catalog entry (not a collection; it is left alone)
     * @throws CollectionBusyException when another actor's create or delete of the name runs for longer than
     *     {@link #WAIT_FOR_OTHER_STEP}
     * @throws ClusterNotReadyException while the cluster is not active
     * @throws IllegalStateException when the name's cache exists with another configuration than the spec's
     */
    public Created create(CollectionSpec spec) {
        String name = spec.name();
        long waitUntil = System.nanoTime() + WAIT_FOR_OTHER_STEP.toNanos();
        while (true) {
            // Every branch either answers or moves on after the entry changed (or waits for it to change).
            String json = store.get(name);
            if (json == null) {
                if (createNew(spec)) {
                    return Created.CREATED;
                }
                continue;
            }
            CatalogEntry entry = CatalogEntry.parse(json);
            if (entry.state() == State.ACTIVE) {
                if (entry.spec().equals(spec)) {
                    return Created.ALREADY_EXISTED;
                }
                throw new CollectionConflictException(name, entry.spec());
            }
            if (store.ownerAlive(entry)) {
                pause(name, entry, waitUntil);
            } else if (entry.state() == State.CREATING && entry.spec().equals(spec)) {
                if (finishCreate(name, json, entry)) {
                    return Created.CREATED;
                }
            } else {
                delete(name, json, entry);
            }
        }
    }

    /**
     * Deletes a collection and all its records; returns whether it existed. A create or delete of the name whose
     * owner is gone is finished as a delete (true).
     *
     * @throws CollectionBusyException when another actor's create or delete of the name runs for longer than
     *     {@link #WAIT_FOR_OTHER_STEP}
     * @throws ClusterNotReadyException while the cluster is not active
     */
    public boolean drop(String name) {
        long waitUntil = System.nanoTime() + WAIT_FOR_OTHER_STEP.toNanos();
        while (true) {
            String json = store.get(name);
            if (json == null) {
                return false;
            }
            CatalogEntry entry = CatalogEntry.parse(json);
            if (entry.state() != State.ACTIVE && store.ownerAlive(entry)) {
                pause(name, entry, waitUntil);
            } else if (delete(name, json, entry)) {
                return true;
            }
        }
    }

    /**
     * Creates a collection whose cache {@code restoreCache} brings back (from a snapshot), under the same claim as a
     * create: the name is claimed, the cache restored and checked against {@code spec}, and the entry made ACTIVE. A
     * node that fails midway leaves a CREATING entry that is finished like an interrupted create.
     *
     * @param restoreCache restores the cache of the given name, or throws
     * @throws CollectionConflictException when the name is taken, by a collection or by a cache that is not one
     * @throws ClusterNotReadyException while the cluster is not active
     */
    public void restore(CollectionSpec spec, Consumer<String> restoreCache) {
        try (CatalogStore.Step step = store.begin()) {
            String claim = step.creating(spec).json();
            if (!store.insert(spec.name(), claim)) {
                throw CollectionConflictException.exists(spec.name());
            }
            if (ignite.cacheNames().contains(spec.cacheName())) {
                release(spec.name(), claim);
                throw CollectionConflictException.foreignCache(spec.name());
            }
            try {
                restoreCache.accept(spec.cacheName());
            } catch (RuntimeException e) {
                release(spec.name(), claim);
                throw e;
            }
            activate(spec, claim);
        }
    }

    /**
     * Finishes every create and delete whose owner is gone (its node left the topology, or its step on this node
     * ended): a create is completed to ACTIVE, a delete destroys the cache and removes the entry. Safe to run on every
     * node at once: compare-and-set lets one actor take each entry. Each finished entry is logged.
     *
     * @return how many entries this call finished
     * @throws ClusterNotReadyException while the cluster is not active
     * @throws IllegalStateException when an interrupted create finds the name's cache with another configuration
     *     (its entry is removed and the cache left alone); entries not reached yet wait for the next call
     */
    public int finishInterrupted() {
        int finished = 0;
        for (Map.Entry<String, String> stored : store.all().entrySet()) {
            CatalogEntry entry = CatalogEntry.parse(stored.getValue());
            if (entry.state() == State.ACTIVE || store.ownerAlive(entry)) {
                continue;
            }
            boolean done = entry.state() == State.CREATING
                    ? finishCreate(stored.getKey(), stored.getValue(), entry)
                    : delete(stored.getKey(), stored.getValue(), entry);
            finished += done ? 1 : 0;
        }
        return finished;
    }

    /** Returns the spec of a collection, if it exists and is not being created or deleted. */
    public Optional<CollectionSpec> get(String name) {
        String json = store.read(name);
        if (json == null) {
            parsed.remove(name);
            return Optional.empty();
        }
        Parsed last = parsed.get(name);
        if (last == null || !last.json().equals(json)) {
            last = new Parsed(json, CatalogEntry.parse(json));
            parsed.put(name, last);
        }
        CatalogEntry entry = last.entry();
        return entry.state() == State.ACTIVE ? Optional.of(entry.spec()) : Optional.empty();
    }

    /**
     * Returns the spec of a collection.
     *
     * @throws CollectionNotFoundException when there is none of that name, or it is being created or deleted
     */
    public CollectionSpec require(String name) {
        return get(name).orElseThrow(() -> new CollectionNotFoundException(name));
    }

    /** Returns every collection that is not being created or deleted, by name. */
    public List<CollectionSpec> list() {
        List<CollectionSpec> all = new ArrayList<>();
        for (String json : store.all().values()) {
            CatalogEntry entry = CatalogEntry.parse(json);
            if (entry.state() == State.ACTIVE) {
                all.add(entry.spec());
            }
        }
        all.sort(Comparator.comparing(CollectionSpec::name));
        return all;
    }

    /**
     * Returns the number of records in a collection (primary copies only).
     *
     * @throws CollectionNotFoundException when the collection is no longer ACTIVE with this spec, or its cache is gone
     */
    public long count(CollectionSpec spec) {
        IgniteCache<Object, Object> cache = ignite.cache(spec.cacheName());
        if (cache == null || !get(spec.name()).map(spec::equals).orElse(false)) {
            throw new CollectionNotFoundException(spec.name());
        }
        return cache.sizeLong();
    }

    /** Returns the cache configuration of a collection. */
    public static CacheConfiguration<Object, Object> cacheConfiguration(CollectionSpec spec) {
        CacheConfiguration<Object, Object> configuration = new CacheConfiguration<>(spec.cacheName())
                .setCacheMode(CacheMode.PARTITIONED)
                .setBackups(spec.backups())
                .setAffinity(new RendezvousAffinityFunction(false, spec.partitions()))
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC)
                // Every write, whoever makes it (thin client, SQL), gets a version above the one it replaces.
                .setInterceptor(new VersionStamp())
                .setSqlSchema(SQL_SCHEMA)
                .setQueryEntities(List.of(sqlTable(spec)));
        if (spec.ttlSeconds() > 0) {
            // Ignite's expiry: a record lives ttlSeconds after its last write; the eager cleaner removes it on every
            // owner (EVT_CACHE_OBJECT_EXPIRED takes it out of the shards), and reads never return it once expired.
            configuration.setExpiryPolicyFactory(ModifiedExpiryPolicy.factoryOf(
                    new javax.cache.expiry.Duration(TimeUnit.SECONDS, spec.ttlSeconds())));
            configuration.setEagerTtl(true);
        }
        return configuration;
    }

    /**
     * The SQL table over a collection's records (docs/sql-and-kv.md): key column {@code id}, {@code vector} (VARBINARY,
     * little-endian floats), {@code payload} (the undeclared part, JSON) and one column per declared field, each with
     * an index. The version stays out of SQL: {@link VersionStamp} keeps it.
     */
    private static QueryEntity sqlTable(CollectionSpec spec) {
        LinkedHashMap<String, String> columns = new LinkedHashMap<>();
        columns.put("id", String.class.getName());
        columns.put("vector", byte[].class.getName());
        columns.put("payload", String.class.getName());
        List<QueryIndex> indexes = new ArrayList<>();
        spec.fieldTypes().forEach((field, type) -> {
            columns.put(field, type.javaType().getName());
            // Index names are unique per schema: '$' is in neither a collection's nor a field's name, so table "A" with
            // field "b_c" and table "A_B" with field "c" never share one (Ignite refuses the second cache otherwise).
            indexes.add(new QueryIndex(field).setName(spec.sqlTable() + "$" + field.toUpperCase(Locale.ROOT)));
        });
        return new QueryEntity(String.class.getName(), spec.layout().type())
                .setTableName(spec.sqlTable())
                .setKeyFieldName("id")
                .setFields(columns)
                .setIndexes(indexes);
    }

    /** Claims a free name and creates its cache; false when another actor claimed the name first. */
    private boolean createNew(CollectionSpec spec) {
        try (CatalogStore.Step step = store.begin()) {
            String claim = step.creating(spec).json();
            if (!store.insert(spec.name(), claim)) {
                return false;
            }
            // Gridvec creates a cache only under its entry's claim, so a cache that no entry owned is someone else's.
            if (ignite.cacheNames().contains(spec.cacheName())) {
                release(spec.name(), claim);
                throw CollectionConflictException.foreignCache(spec.name());
            }
            activate(spec, claim);
            return true;
        }
    }

    /** Takes over a create whose owner is gone and completes it; false when another actor changed the entry first. */
    private boolean finishCreate(String name, String stale, CatalogEntry entry) {
        try (CatalogStore.Step step = store.begin()) {
            String claim = step.creating(entry.spec()).json();
            if (!store.replace(name, stale, claim)) {
                return false;
            }
            activate(entry.spec(), claim);
        }
        LOG.log(System.Logger.Level.INFO, "Finished the create of collection '" + name + "' that node "
                + entry.owner() + " left unfinished");
        return true;
    }

    /**
     * Claims an ACTIVE entry, or one whose owner is gone, destroys the cache and removes the entry; false when another
     * actor changed the entry first.
     */
    private boolean delete(String name, String json, CatalogEntry entry) {
        try (CatalogStore.Step step = store.begin()) {
            String claim = step.deleting(entry.spec()).json();
            if (!store.replace(name, json, claim)) {
                return false;
            }
            ignite.destroyCache(CollectionSpec.cacheName(name));
            release(name, claim);
        }
        if (entry.state() != State.ACTIVE) {
            String what = entry.state() == State.CREATING ? "Deleted the half-created" : "Finished deleting the";
            LOG.log(System.Logger.Level.INFO, what + " collection '" + name + "' that node " + entry.owner()
                    + " left unfinished");
        }
        return true;
    }

    /** Creates or opens the cache of a claimed name, checks its configuration, and makes the entry ACTIVE. */
    private void activate(CollectionSpec spec, String claim) {
        // Ignite keeps one type per field of a binary type: registering the record type's fields before any record
        // exists makes Ignite refuse, at the source, a thin client's record whose vector or declared field has
        // another type.
        try {
            spec.layout().register(ignite.binary());
        } catch (BinaryObjectException e) {
            release(spec.name(), claim);
            throw CollectionConflictException.foreignType(spec.name(), spec.layout().type(), e.getMessage());
        }
        IgniteCache<Object, Object> cache = ignite.getOrCreateCache(cacheConfiguration(spec));
        @SuppressWarnings("unchecked")
        CacheConfiguration<Object, Object> actual = cache.getConfiguration(CacheConfiguration.class);
        List<String> differences = differences(actual, cacheConfiguration(spec));
        if (!differences.isEmpty()) {
            // Not created under this claim (it was made through Ignite meanwhile): never use it, never destroy it.
            release(spec.name(), claim);
            throw new IllegalStateException("cache " + spec.cacheName() + " exists with " + String.join(", ",
                    differences) + ", not as collection '" + spec.name() + "' needs; it was left alone and the"
                    + " collection was not created");
        }
        // Answers cached about an earlier collection of this name must not match this one.
        new WriteGenerations(ignite).raise(spec.name());
        if (!store.replace(spec.name(), claim, CatalogEntry.active(spec).json())) {
            throw lostClaim(spec.name());
        }
    }

    private void release(String name, String claim) {
        if (!store.remove(name, claim)) {
            throw lostClaim(name);
        }
    }

    private static IllegalStateException lostClaim(String name) {
        return new IllegalStateException("the catalog entry of collection '" + name + "' was changed by another actor"
                + " while this node owned it");
    }

    private static List<String> differences(CacheConfiguration<?, ?> actual, CacheConfiguration<?, ?> wanted) {
        List<String> differences = new ArrayList<>();
        int partitions = actual.getAffinity() == null ? -1 : actual.getAffinity().partitions();
        if (partitions != wanted.getAffinity().partitions()) {
            differences.add("partitions " + partitions);
        }
        if (actual.getBackups() != wanted.getBackups()) {
            differences.add("backups " + actual.getBackups());
        }
        if (actual.getCacheMode() != wanted.getCacheMode()) {
            differences.add("mode " + actual.getCacheMode());
        }
        if (actual.getAtomicityMode() != wanted.getAtomicityMode()) {
            differences.add("atomicity " + actual.getAtomicityMode());
        }
        if (actual.getWriteSynchronizationMode() != wanted.getWriteSynchronizationMode()) {
            differences.add("write synchronization " + actual.getWriteSynchronizationMode());
        }
        return differences;
    }

    /** Waits a moment for another actor's step on {@code name}, or answers busy once the wait is over. */
    private static void pause(String name, CatalogEntry entry, long waitUntil) {
        String doing = entry.state() == State.CREATING ? "created" : "deleted";
        if (System.nanoTime() - waitUntil >= 0) {
            throw new CollectionBusyException("collection '" + name + "' is being " + doing
                    + " by another request; retry");
        }
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectionBusyException("interrupted while collection '" + name + "' is being " + doing
                    + " by another request; retry");
        }
    }
}
