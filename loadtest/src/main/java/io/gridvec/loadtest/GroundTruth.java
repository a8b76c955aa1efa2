package io.gridvec.loadtest;

import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorKernels;
import io.gridvec.index.vector.Vectorization;
import java.util.Arrays;

/**
 * The exact {@code k} nearest base vectors of every query, found by brute force in float: the oracle that recall is
 * measured against. Immutable.
 */
final class GroundTruth {

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
    static GroundTruth compute(float[][] base, float[][] queries, int k, Metric metric, int threads)
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
    double recall(int[][] found) {
        if (found.length != nearest.length) {
            throw new IllegalArgumentException(
                    "found must hold one row per query, " + nearest.length + ", was " + found.length);
        }
        long hits = 0;
        for (int q = 0; q < nearest.length; q++) {
            int[] row = found[q];
            for (int i = 0, n = Math.min(k, row.length); i < n; i++) {
                if (row[i] >= 0 && contains(nearest[q], row[i])) {
                    hits++;
                }
            }
        }
        return (double) hits / ((long) k * nearest.length);
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
