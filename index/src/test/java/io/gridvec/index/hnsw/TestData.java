package io.gridvec.index.hnsw;

import io.gridvec.index.vector.Metric;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Seeded vectors and a brute-force oracle for the index tests. One seed per JVM run, printed in every assertion
 * message that uses it; replay a failure with {@code -Dgridvec.test.seed=<seed>}.
 */
final class TestData {

    static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());

    private TestData() {}

    static String seedInfo() {
        return "seed " + SEED + " (replay with -Dgridvec.test.seed=" + SEED + ")";
    }

    /** Points around {@code clusters} Gaussian centers: the shape of real embedding collections. */
    static float[][] clustered(int n, int dim, int clusters, long seed) {
        return aroundCenters(n, dim, clusters, seed, new SplittableRandom(seed + 1));
    }

    /** Queries near the same centers as {@link #clustered} with that seed, drawn from another stream. */
    static float[][] clusteredQueries(int n, int dim, int clusters, long seed) {
        return aroundCenters(n, dim, clusters, seed, new SplittableRandom(seed ^ 0x5DEECE66DL));
    }

    private static float[][] aroundCenters(int n, int dim, int clusters, long centersSeed, SplittableRandom random) {
        float[][] centers = gaussian(clusters, dim, new SplittableRandom(centersSeed), 1.0);
        float[][] points = new float[n][dim];
        for (int i = 0; i < n; i++) {
            float[] c = centers[random.nextInt(clusters)];
            for (int d = 0; d < dim; d++) {
                points[i][d] = c[d] + (float) (0.35 * gaussian(random));
            }
        }
        return points;
    }

    /** Uniform points in [-1, 1)^dim. */
    static float[][] uniform(int n, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] points = new float[n][dim];
        for (float[] p : points) {
            for (int d = 0; d < dim; d++) {
                p[d] = (float) (random.nextDouble() * 2 - 1);
            }
        }
        return points;
    }

    private static float[][] gaussian(int n, int dim, SplittableRandom random, double scale) {
        float[][] points = new float[n][dim];
        for (float[] p : points) {
            for (int d = 0; d < dim; d++) {
                p[d] = (float) (scale * gaussian(random));
            }
        }
        return points;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on every JDK this builds for.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static HnswIndex index(float[][] points, Metric metric) {
        HnswIndex index = HnswIndex.builder(points[0].length, metric).seed(SEED).build();
        for (int i = 0; i < points.length; i++) {
            index.upsert(Integer.toString(i), points[i]);
        }
        return index;
    }

    /** The ids (row numbers) of the k points nearest to q among those {@code admitted}, by plain double math. */
    static int[] exactTopK(float[][] points, float[] q, int k, Metric metric, IntPredicate admitted) {
        double[] distances = new double[points.length];
        Integer[] ids = new Integer[points.length];
        int count = 0;
        for (int i = 0; i < points.length; i++) {
            if (points[i] != null && admitted.test(i)) {
                distances[i] = distance(points[i], q, metric);
                ids[count++] = i;
            }
        }
        Arrays.sort(ids, 0, count, (a, b) -> Double.compare(distances[a], distances[b]));
        int[] top = new int[Math.min(k, count)];
        for (int i = 0; i < top.length; i++) {
            top[i] = ids[i];
        }
        return top;
    }

    static double distance(float[] a, float[] b, Metric metric) {
        double dot = 0, na = 0, nb = 0, l2 = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
            double d = (double) a[i] - b[i];
            l2 += d * d;
        }
        return switch (metric) {
            case L2 -> l2;
            case DOT -> -dot;
            case COSINE -> 1 - dot / Math.sqrt(na * nb);
        };
    }

    /** recall@k of {@code results} (ids = row numbers) against {@code truth}. */
    static double recall(HnswIndex index, SearchResults results, int[] truth) {
        if (truth.length == 0) {
            return 1;
        }
        int hits = 0;
        for (int i = 0; i < results.size(); i++) {
            int id = Integer.parseInt(index.id(results.ordinal(i)));
            for (int t : truth) {
                if (t == id) {
                    hits++;
                    break;
                }
            }
        }
        return (double) hits / truth.length;
    }
}
