package io.gridvec.router.search;

import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's answers to recent searches, keyed by collection and query (vector, k, ef, filter and options), bounded
 * by an estimate of their heap size and evicted least recently used first. Each answer is kept with the write
 * generation of its collection it was computed under ({@link io.gridvec.shard.catalog.WriteGenerations}, read before
 * the search started) and served only while the generation is the same, so no answer is served after a write to
 * its collection was acknowledged anywhere in the cluster. Thread-safe: one lock, held for map operations only.
 */
public final class ResultCache {

    /** Heap of an entry beyond its vectors and strings: map node, key, entry, hit list, query object. */
    private static final long ENTRY_BYTES = 200;
    /** Heap of a hit beyond its id, payload and vector. */
    private static final long HIT_BYTES = 64;

    private final long maxBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;
    private long evictions;

    private record Key(String collection, SearchQuery query) {}

    private record Entry(long generation, List<SearchHit> hits, long bytes) {}

    /** What the cache holds and how it served: sizes in bytes (estimated heap), counts since the node started. */
    public record Stats(long maxBytes, long bytes, int entries, long hits, long misses, long evictions) {}

    /** Creates a cache of at most {@code maxBytes} of answers; 0 turns it off. */
    ResultCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Returns whether the cache keeps answers at all. */
    boolean enabled() {
        return maxBytes > 0;
    }

    /** Returns the hits cached for {@code query} under {@code generation}, or null (counted as a miss). */
    synchronized List<SearchHit> get(String collection, long generation, SearchQuery query) {
        Key key = new Key(collection, query);
        Entry entry = entries.get(key);
        if (entry != null && entry.generation() == generation) {
            hits++;
            return entry.hits();
        }
        if (entry != null && entry.generation() < generation) {
            remove(key);
        }
        misses++;
        return null;
    }

    /**
     * Keeps the complete answer to {@code query}, computed under {@code generation}; an answer computed under an
     * older generation than the one held is dropped, and so is one larger than the whole cache.
     */
    synchronized void put(String collection, long generation, SearchQuery query, int dimension,
            List<SearchHit> answer) {
        long size = ENTRY_BYTES + 4L * dimension;
        for (SearchHit hit : answer) {
            size += HIT_BYTES + 2L * hit.id().length() + (hit.payload() == null ? 0 : 2L * hit.payload().length())
                    + (hit.vector() == null ? 0 : 4L * hit.vector().length);
        }
        Key key = new Key(collection, query);
        Entry held = entries.get(key);
        if (size > maxBytes || held != null && held.generation() > generation) {
            return;
        }
        if (held != null) {
            remove(key);
        }
        entries.put(key, new Entry(generation, List.copyOf(answer), size));
        bytes += size;
        for (Iterator<Map.Entry<Key, Entry>> eldest = entries.entrySet().iterator(); bytes > maxBytes; ) {
            bytes -= eldest.next().getValue().bytes();
            eldest.remove();
            evictions++;
        }
    }

    /** Returns the current sizes and counts. */
    synchronized Stats stats() {
        return new Stats(maxBytes, bytes, entries.size(), hits, misses, evictions);
    }

    private void remove(Key key) {
        bytes -= entries.remove(key).bytes();
    }
}
