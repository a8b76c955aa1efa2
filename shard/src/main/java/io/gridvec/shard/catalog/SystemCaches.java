package io.gridvec.shard.catalog;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * Gridvec's own small caches ({@code gv_catalog}, {@code gv_writes}, {@code gv_snapshots}, the API keys):
 * REPLICATED, so every server holds a copy it can read locally; FULL_SYNC, so a write returns only when every copy has
 * it; ATOMIC; and persistent like every cache of the node's data region. Stateless.
 */
public final class SystemCaches {

    private SystemCaches() {}

    /**
     * Returns the system cache {@code name}, creating it on first use.
     *
     * @throws ClusterNotReadyException while the cluster is not active
     */
    public static <K, V> IgniteCache<K, V> replicated(Ignite ignite, String name) {
        if (!ignite.cluster().state().active()) {
            throw new ClusterNotReadyException("the cluster is " + ignite.cluster().state() + "; a new cluster "
                    + "activates when cluster.initialNodes servers have joined, a restarted one when every node of "
                    + "its baseline is back (GET /v1/cluster shows which are missing)");
        }
        IgniteCache<K, V> cache = ignite.cache(name);
        return cache != null ? cache : ignite.getOrCreateCache(new CacheConfiguration<K, V>(name)
                .setCacheMode(CacheMode.REPLICATED)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC));
    }
}
