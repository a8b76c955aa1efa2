package io.gridvec.loadtest;

import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorKernels;
import io.gridvec.index.vector.Vectorization;
import java.util.Arrays;

/**
 * The exact {@code k} nearest base vectors of every query, found by brute force in float: the oracle that recall is
 * measured against. Immutable.
 */
public final class GroundTruth {

    private final int[][] nearest;
    private final int k;

    GroundTruth(int[][] nearest, int k) {
        this.nearest = nearest;
        this.k = k;
    }

    /**
     * Compares every query with every base vector, queries split over {@code threads} threads. Ties keep the lower
     * id.
     *
     * @throws InterruptedException when interrupted while waiting for the threads
     */
    public static GroundTruth compute(float[][] base, float[][] queries, int k, Metric metric, int threads)
            throws InterruptedException {
        VectorKernels kernels = Vectorization.kernels();
        int[][] nearest = new int[queries.length][];
        Parallel.forEach(threads, queries.length, q -> nearest[q] = nearest(kernels, metric, base, queries[q], k));
        return new GroundTruth(nearest, k);
    }

    private static int[] nearest(VectorKernels kernels, Metric metric, float[][] base, float[] query, int k) {
        int[] ids = new int[k];
        float[] distances = new float[k];
        Arrays.fill(distances, Float.POSITIVE_INFINITY);
        for (int id = 0; id < base.length; id++) {
            float distance = distance(kernels, metric, query, base[id]);
            if (distance < distances[k - 1]) {
                int at = k - 1;
                for (; at > 0 && distances[at - 1] > distance; at--) {
                    distances[at] = distances[at - 1];
                    ids[at] = ids[at - 1];
                }
                distances[at] = distance;
                ids[at] = id;
            }
        }
        return ids;
    }

    /** Lower is nearer for every metric, as inside the index. */
    private static float distance(VectorKernels kernels, Metric metric, float[] a, float[] b) {
        return switch (metric) {
            case L2 -> kernels.squareDistance(a, b);
            case DOT -> -kernels.dotProduct(a, b);
            case COSINE -> -kernels.cosine(a, b);
        };
    }

    /**
     * Returns recall@k: for each query, the share of its exact k nearest that {@code found[q]} holds, averaged over the
     * queries. Entries of {@code found[q]} beyond k, and negative ones, are ignored.
     */
    public double recall(int[][] found) {
        if (found.length != nearest.length) {
            throw new IllegalArgumentException(
                    "found must hold one row per query, " + nearest.length + ", was " + found.length);
        }
        long hits = 0;
        for (int q = 0; q < nearest.length; q++) {
            hits += hits(q, found[q], found[q].length);
        }
        return (double) hits / ((long) k * nearest.length);
    }

    /** Returns k, the number of exact neighbours kept per query. */
    public int k() {
        return k;
    }

    /** Returns the number of queries. */
    public int queries() {
        return nearest.length;
    }

    /**
     * Returns how many of the first {@code n} entries of {@code found} (at most k) are among the exact k nearest of
     * query {@code query}; negative entries never count.
     */
    public int hits(int query, int[] found, int n) {
        int hits = 0;
        for (int i = 0, end = Math.min(Math.min(k, n), found.length); i < end; i++) {
            if (found[i] >= 0 && contains(nearest[query], found[i])) {
                hits++;
            }
        }
        return hits;
    }

    /** Returns the ground truth of the first {@code count} queries only. */
    public GroundTruth firstQueries(int count) {
        return new GroundTruth(java.util.Arrays.copyOf(nearest, Math.min(count, nearest.length)), k);
    }

    private static boolean contains(int[] ids, int id) {
        for (int candidate : ids) {
            if (candidate == id) {
                return true;
            }
        }
        return false;
    }
}
