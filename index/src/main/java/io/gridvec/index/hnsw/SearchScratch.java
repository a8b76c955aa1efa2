package io.gridvec.index.hnsw;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Working memory for searches and inserts, reused so a search allocates nothing in steady state. Not thread-safe:
 * {@link #acquire()} hands each caller its own until {@link #release()}. A platform thread keeps one for its life; a
 * virtual thread (a REST request, say) lives for one request, so it borrows one from a small shared pool instead of
 * allocating a visited set as large as the graph for every search.
 *
 * <p>The visited set is a generation-tagged {@code char[]}: a node is visited when its tag equals the current
 * generation, so starting a search costs one increment, and the array is cleared only when the 16-bit generation
 * wraps.
 */
final class SearchScratch {

    private static final ThreadLocal<SearchScratch> LOCAL = ThreadLocal.withInitial(() -> new SearchScratch(false));
    /**
     * Scratches for virtual threads. A search never blocks, so at most one virtual thread per carrier thread holds
     * one at a time; the pool keeps twice that many and lets the garbage collector have the rest.
     */
    private static final ConcurrentLinkedQueue<SearchScratch> SHARED = new ConcurrentLinkedQueue<>();
    private static final int SHARED_MAX = 2 * Runtime.getRuntime().availableProcessors();
    private static final AtomicInteger SHARED_SIZE = new AtomicInteger();

    private final boolean shared;

    char[] visited = new char[0];
    char generation;
    final LongHeap candidates = new LongHeap(256);
    /** Results of the last layer search as {@link Scored#reversed} values: a max-heap by distance. */
    final LongHeap results = new LongHeap(256);
    int[] neighbors = new int[64];
    float[] distances = new float[64];
    float[] query = new float[0];
    /** Where {@link HnswGraph#touch} results go, so the JIT keeps those loads. */
    int sink;
    /** Insert-time buffers: candidates sorted by distance, and the neighbours chosen from them. */
    long[] sorted = new long[64];
    int[] selected = new int[64];
    /** Buffers for pruning a neighbour's list while its lock is held. */
    long[] pruneSorted = new long[64];
    int[] pruneSelected = new int[64];

    private SearchScratch(boolean shared) {
        this.shared = shared;
    }

    /** Returns working memory for the calling thread's next search or insert; give it back with {@link #release()}. */
    static SearchScratch acquire() {
        if (!Thread.currentThread().isVirtual()) {
            return LOCAL.get();
        }
        SearchScratch pooled = SHARED.poll();
        if (pooled == null) {
            return new SearchScratch(true);
        }
        SHARED_SIZE.decrementAndGet();
        return pooled;
    }

    /** Gives the scratch back; the caller no longer uses it. */
    void release() {
        if (shared && SHARED_SIZE.incrementAndGet() <= SHARED_MAX) {
            SHARED.offer(this);
        } else if (shared) {
            SHARED_SIZE.decrementAndGet();
        }
    }

    /** Starts a traversal over a graph of (currently) {@code nodeCount} nodes. */
    void startVisit(int nodeCount) {
        if (visited.length < nodeCount) {
            visited = new char[Math.max(nodeCount, visited.length + (visited.length >> 1)) + 64];
            generation = 1;
            return;
        }
        if (++generation == 0) {
            Arrays.fill(visited, (char) 0);
            generation = 1;
        }
    }

    /** Marks a node visited and returns whether it was not visited before. */
    boolean visit(int node) {
        char[] v = visited;
        if (node >= v.length) {
            // A node added concurrently after this search started.
            visited = v = Arrays.copyOf(v, Math.max(node + 1, v.length + (v.length >> 1)));
        }
        if (v[node] == generation) {
            return false;
        }
        v[node] = generation;
        return true;
    }

    int[] neighbors(int capacity) {
        if (neighbors.length < capacity) {
            neighbors = new int[capacity];
        }
        return neighbors;
    }

    float[] distances(int capacity) {
        if (distances.length < capacity) {
            distances = new float[capacity];
        }
        return distances;
    }

    long[] sorted(int capacity) {
        if (sorted.length < capacity) {
            sorted = new long[capacity];
        }
        return sorted;
    }

    float[] query(int dimension) {
        if (query.length < dimension) {
            query = new float[dimension];
        }
        return query;
    }

    /** Grows each insert buffer to {@code capacity}; each on its own, since searches grow {@link #sorted} too. */
    void ensureInsertBuffers(int capacity) {
        if (sorted.length < capacity) {
            sorted = new long[capacity];
        }
        if (selected.length < capacity) {
            selected = new int[capacity];
        }
        if (pruneSorted.length < capacity) {
            pruneSorted = new long[capacity];
        }
        if (pruneSelected.length < capacity) {
            pruneSelected = new int[capacity];
        }
    }
}
