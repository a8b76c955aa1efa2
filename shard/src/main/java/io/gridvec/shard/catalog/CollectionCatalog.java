package io.gridvec.shard.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.affinity.rendezvous.RendezvousAffinityFunction;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * The cluster's collections: each spec is stored as JSON in a persistent, replicated system cache (so the catalog
 * survives restarts and tolerates fields added later), and each collection is a PARTITIONED cache {@code gv_<name>}
 * with its own partition count and backups, written FULL_SYNC. Thread-safe.
 */
public final class CollectionCatalog {

    /** The system cache of collection specs, by name. */
    static final String CACHE = "gv_catalog";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ignite ignite;

    /** How a create request was applied. */
    public enum Created { CREATED, ALREADY_EXISTED }

    /** Creates the catalog over a server node; the system cache is made on first use, once the cluster is active. */
    public CollectionCatalog(Ignite ignite) {
        this.ignite = ignite;
    }

    /**
     * Creates a collection, or does nothing when one with an equal spec exists.
     *
     * @param spec a spec returned by {@link CollectionSpec#validated()}
     * @throws CollectionConflictException when a collection of that name exists with another spec
     * @throws ClusterNotReadyException while the cluster is not active
     */
    public Created create(CollectionSpec spec) {
        String json = write(spec);
        String existing = specs().getAndPutIfAbsent(spec.name(), json);
        if (existing != null && !existing.equals(json)) {
            throw new CollectionConflictException(spec.name(), read(existing));
        }
        // Also on the idempotent path: repairs a collection whose cache creation was interrupted.
        ignite.getOrCreateCache(cacheConfiguration(spec));
        return existing == null ? Created.CREATED : Created.ALREADY_EXISTED;
    }

    /** Returns the spec of a collection, if it exists. */
    public Optional<CollectionSpec> get(String name) {
        String json = specs().get(name);
        return json == null ? Optional.empty() : Optional.of(read(json));
    }

    /**
     * Returns the spec of a collection.
     *
     * @throws CollectionNotFoundException when there is none of that name
     */
    public CollectionSpec require(String name) {
        return get(name).orElseThrow(() -> new CollectionNotFoundException(name));
    }

    /** Returns every collection, by name. */
    public List<CollectionSpec> list() {
        List<CollectionSpec> all = new ArrayList<>();
        try (var cursor = specs().query(new ScanQuery<String, String>())) {
            for (Cache.Entry<String, String> entry : cursor) {
                all.add(read(entry.getValue()));
            }
        }
        all.sort(Comparator.comparing(CollectionSpec::name));
        return all;
    }

    /**
     * Returns the number of records in a collection (primary copies only).
     *
     * @throws CollectionNotFoundException when the collection's cache is gone (deleted meanwhile)
     */
    public long count(CollectionSpec spec) {
        IgniteCache<Object, Object> cache = ignite.cache(spec.cacheName());
        if (cache == null) {
            throw new CollectionNotFoundException(spec.name());
        }
        return cache.sizeLong();
    }

    /** Deletes a collection and all its records; returns whether it existed. */
    public boolean drop(String name) {
        String json = specs().getAndRemove(name);
        if (json == null) {
            return false;
        }
        ignite.destroyCache(CollectionSpec.cacheName(name));
        return true;
    }

    /** Returns the cache configuration of a collection. */
    public static CacheConfiguration<Object, Object> cacheConfiguration(CollectionSpec spec) {
        return new CacheConfiguration<>(spec.cacheName())
                .setCacheMode(CacheMode.PARTITIONED)
                .setBackups(spec.backups())
                .setAffinity(new RendezvousAffinityFunction(false, spec.partitions()))
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC);
    }

    private IgniteCache<String, String> specs() {
        if (!ignite.cluster().state().active()) {
            throw new ClusterNotReadyException("the cluster is " + ignite.cluster().state()
                    + "; it activates when its initial nodes have joined");
        }
        IgniteCache<String, String> cache = ignite.cache(CACHE);
        return cache != null ? cache : ignite.getOrCreateCache(new CacheConfiguration<String, String>(CACHE)
                .setCacheMode(CacheMode.REPLICATED)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC));
    }

    private static String write(CollectionSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a collection spec cannot be written as JSON", e);
        }
    }

    private static CollectionSpec read(String json) {
        try {
            return JSON.readValue(json, CollectionSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the catalog holds an unreadable spec: " + json, e);
        }
    }
}
