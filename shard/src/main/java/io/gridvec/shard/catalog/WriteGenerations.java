package io.gridvec.shard.catalog;

import javax.cache.processor.MutableEntry;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.cache.CachePeekMode;

/**
 * A counter per collection that every write through Gridvec raises after the write is applied and before it is
 * acknowledged, so an answer computed while the counter had one value is stale once it has another. Kept in the
 * system cache {@code gv_writes} ({@link SystemCaches}): a raise returns only when every server's copy has
 * it, so any node reads the current value from its own copy ({@link #current}). A collection's create raises it too,
 * so a collection dropped and created again under its name never matches answers about the old one. Thread-safe.
 */
public final class WriteGenerations {

    /** The system cache of write counters, by collection name. */
    static final String CACHE = "gv_writes";

    private final Ignite ignite;
    private volatile IgniteCache<String, Long> cache;

    /** Creates the counters over a node of an active cluster; the cache is made on first use. */
    public WriteGenerations(Ignite ignite) {
        this.ignite = ignite;
    }

    /**
     * Returns the collection's counter as this server's copy holds it; falls back to the primary when this copy
     * lacks the entry (the node joined and its copy is still being filled), so the value is never older than the
     * last acknowledged write.
     */
    public long current(String collection) {
        IgniteCache<String, Long> counters = cache();
        Long local = counters.localPeek(collection, CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
        if (local != null) {
            return local;
        }
        Long stored = counters.get(collection);
        return stored == null ? 0 : stored;
    }

    /** Raises the collection's counter on every server. */
    public void raise(String collection) {
        cache().invoke(collection, new Raise());
    }

    private IgniteCache<String, Long> cache() {
        IgniteCache<String, Long> counters = cache;
        if (counters == null) {
            counters = SystemCaches.replicated(ignite, CACHE);
            cache = counters;
        }
        return counters;
    }

    /** Adds one to a counter, starting from 0. */
    private static final class Raise implements CacheEntryProcessor<String, Long, Void> {

        private static final long serialVersionUID = 1L;

        @Override
        public Void process(MutableEntry<String, Long> entry, Object... arguments) {
            entry.setValue(entry.exists() ? entry.getValue() + 1 : 1);
            return null;
        }
    }
}
