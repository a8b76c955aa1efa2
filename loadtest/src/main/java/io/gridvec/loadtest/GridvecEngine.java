package io.gridvec.loadtest;

import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.index.hnsw.SearchResults;
import io.gridvec.index.vector.Metric;

/** Gridvec's {@link HnswIndex} as an {@link Engine}; searches are not thread-safe (one results object is reused). */
final class GridvecEngine implements Engine {

    private final HnswIndex index;
    private final int[] ordinalToId;
    private final double buildSeconds;
    private final SearchResults results = new SearchResults();

    private GridvecEngine(HnswIndex index, int[] ordinalToId, double buildSeconds) {
        this.index = index;
        this.ordinalToId = ordinalToId;
        this.buildSeconds = buildSeconds;
    }

    /**
     * Builds the index by upserting every base vector, id = its position as a string, from {@code threads} threads.
     *
     * @throws IllegalArgumentException when a parameter is out of the index builder's range
     * @throws InterruptedException when interrupted while waiting for the threads
     */
    static GridvecEngine build(float[][] base, Metric metric, int m, int efConstruction, long seed, int threads)
            throws InterruptedException {
        HnswIndex index = HnswIndex.builder(base[0].length, metric)
                .m(m)
                .efConstruction(efConstruction)
                .seed(seed)
                .build();
        long start = System.nanoTime();
        Parallel.forEach(threads, base.length, i -> index.upsert(Integer.toString(i), base[i]));
        double seconds = (System.nanoTime() - start) / 1e9;
        // Ordinals follow upsert order, which threads interleave: map them back once, outside any timed loop.
        int[] ordinalToId = new int[index.ordinalCount()];
        for (int ordinal = 0; ordinal < ordinalToId.length; ordinal++) {
            ordinalToId[ordinal] = Integer.parseInt(index.id(ordinal));
        }
        return new GridvecEngine(index, ordinalToId, seconds);
    }

    /** Returns an engine over the same index with its own results object, for another thread. */
    GridvecEngine searcher() {
        return new GridvecEngine(index, ordinalToId, buildSeconds);
    }

    @Override
    public String name() {
        return "gridvec";
    }

    @Override
    public double buildSeconds() {
        return buildSeconds;
    }

    @Override
    public int search(float[] query, int k, int ef, int[] ids) {
        SearchResults hits = index.search(query, k, ef, null, results);
        int n = hits.size();
        for (int i = 0; i < n; i++) {
            ids[i] = ordinalToId[hits.ordinal(i)];
        }
        return n;
    }

    /** Does nothing: the index lives on the heap. */
    @Override
    public void close() {}
}
