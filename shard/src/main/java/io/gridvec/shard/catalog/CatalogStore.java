package io.gridvec.shard.catalog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.ScanQuery;

/**
 * The catalog cache {@code gv_catalog} (REPLICATED, FULL_SYNC, ATOMIC, persistent) as compare-and-set operations on
 * exact JSON values, and the claims that make one actor at a time the owner of a collection's cache. A claim is a
 * {@link Step}: its id is unique, so every claimed value is unique, and it is registered in the node-local map while
 * the step runs, so an entry this node owns is live only while its step does. Thread-safe.
 */
final class CatalogStore {

    /** The system cache of catalog entries, by collection name. */
    static final String CACHE = "gv_catalog";
    /** The node-local map key of the ids of this node's running steps (shared by every catalog on the node). */
    private static final String STEPS = CatalogStore.class.getName() + ".steps";

    private final Ignite ignite;

    CatalogStore(Ignite ignite) {
        this.ignite = ignite;
    }

    /** Returns the JSON entry of {@code name}, or null. */
    String get(String name) {
        return cache().get(name);
    }

    /**
     * Returns the JSON entry of {@code name}, or null, reading this server's own copy of the replicated catalog when
     * it has one: FULL_SYNC writes reach every copy before they are acknowledged, and a copy still being rebalanced
     * lacks entries rather than holding old ones, so only a missing entry needs the full {@link #get}. Measured: the
     * full get cost about 8% of a node's CPU under search load, since every search reads its collection's entry.
     */
    String read(String name) {
        String local = cache().localPeek(name, CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
        return local != null ? local : get(name);
    }

    /** Returns every entry as JSON, by name. */
    Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        try (var cursor = cache().query(new ScanQuery<String, String>())) {
            for (Cache.Entry<String, String> entry : cursor) {
                all.put(entry.getKey(), entry.getValue());
            }
        }
        return all;
    }

    /** Puts {@code json} if {@code name} has no entry; returns whether it did. */
    boolean insert(String name, String json) {
        return cache().putIfAbsent(name, json) || json.equals(get(name));
    }

    /** Replaces the entry of {@code name} if it is exactly {@code expected}; returns whether it did. */
    boolean replace(String name, String expected, String json) {
        return cache().replace(name, expected, json) || json.equals(get(name));
    }

    /** Removes the entry of {@code name} if it is exactly {@code expected}; returns whether it is gone. */
    boolean remove(String name, String expected) {
        return cache().remove(name, expected) || get(name) == null;
    }

    // The read-backs above: in an ATOMIC cache the result of putIfAbsent/replace/remove(k, v) may be wrong when the
    // key's primary fails and Ignite retries the update (CacheAtomicityMode.ATOMIC). A claimed value is unique, so
    // finding it (or, for a remove of our own claim, nothing) tells that the update was applied.

    /** Starts a step of this node: the owner and step id of the entries it claims. Close it when the step ends. */
    Step begin() {
        Step step = new Step(ignite.cluster().localNode().id(), UUID.randomUUID(), runningSteps());
        step.running.add(step.id);
        return step;
    }

    /**
     * Returns whether the owner of a CREATING or DELETING entry may still be working on it: a step of this node that
     * is still running, or any step of a node still in the topology (runtime ids change on every restart).
     */
    boolean ownerAlive(CatalogEntry entry) {
        if (entry.owner() == null) {
            return false;
        }
        if (entry.owner().equals(ignite.cluster().localNode().id())) {
            return entry.step() != null && runningSteps().contains(entry.step());
        }
        return ignite.cluster().node(entry.owner()) != null;
    }

    private Set<UUID> runningSteps() {
        ConcurrentMap<String, Set<UUID>> local = ignite.cluster().nodeLocalMap();
        return local.computeIfAbsent(STEPS, key -> ConcurrentHashMap.newKeySet());
    }

    private IgniteCache<String, String> cache() {
        return SystemCaches.replicated(ignite, CACHE);
    }

    /** One actor's turn at a collection's cache on this node, from its claim to its last catalog update. */
    static final class Step implements AutoCloseable {

        private final UUID node;
        private final UUID id;
        private final Set<UUID> running;

        private Step(UUID node, UUID id, Set<UUID> running) {
            this.node = Objects.requireNonNull(node);
            this.id = id;
            this.running = running;
        }

        /** Returns the entry by which this step claims {@code spec}'s name to create its cache. */
        CatalogEntry creating(CollectionSpec spec) {
            return new CatalogEntry(CatalogEntry.State.CREATING, node, id, spec);
        }

        /** Returns the entry by which this step claims {@code spec}'s name to destroy its cache. */
        CatalogEntry deleting(CollectionSpec spec) {
            return new CatalogEntry(CatalogEntry.State.DELETING, node, id, spec);
        }

        /** Ends the step: an entry it still owns is now stale, so this node's next repair finishes it. */
        @Override
        public void close() {
            running.remove(id);
        }
    }
}
