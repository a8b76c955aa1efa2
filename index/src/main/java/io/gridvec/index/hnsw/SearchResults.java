package io.gridvec.index.hnsw;

import java.util.Arrays;

/**
 * The hits of one search, nearest first, as ordinals with scores. Reusable: pass it back to the next search to keep
 * searches allocation-free. Not thread-safe.
 */
public final class SearchResults {

    private int size;
    private int[] ordinals = new int[16];
    private float[] scores = new float[16];
    private SearchStrategy strategy = SearchStrategy.HNSW;
    private int visited;

    /** Returns the number of hits (at most k; fewer when fewer records qualify). */
    public int size() {
        return size;
    }

    /** Returns the ordinal of hit {@code i}; {@link HnswIndex#id(int)} maps it to the record id. */
    public int ordinal(int i) {
        checkIndex(i);
        return ordinals[i];
    }

    /** Returns the score of hit {@code i} as {@link io.gridvec.index.vector.Metric#score(float)} defines it. */
    public float score(int i) {
        checkIndex(i);
        return scores[i];
    }

    /** Returns how this search was answered. */
    public SearchStrategy strategy() {
        return strategy;
    }

    /** Returns the number of distance computations the search made. */
    public int visited() {
        return visited;
    }

    void reset(int capacity, SearchStrategy strategy, int visited) {
        if (ordinals.length < capacity) {
            ordinals = new int[capacity];
            scores = new float[capacity];
        }
        this.size = 0;
        this.strategy = strategy;
        this.visited = visited;
    }

    void add(int ordinal, float score) {
        ordinals[size] = ordinal;
        scores[size] = score;
        size++;
    }

    /** Removes hit {@code i}, keeping the order of the rest. */
    void remove(int i) {
        System.arraycopy(ordinals, i + 1, ordinals, i, size - i - 1);
        System.arraycopy(scores, i + 1, scores, i, size - i - 1);
        size--;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("hit " + i + " of " + size);
        }
    }

    @Override
    public String toString() {
        return "SearchResults{" + strategy + ", visited=" + visited + ", ordinals="
                + Arrays.toString(Arrays.copyOf(ordinals, size)) + "}";
    }
}
