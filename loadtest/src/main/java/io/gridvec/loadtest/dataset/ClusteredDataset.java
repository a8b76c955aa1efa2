package io.gridvec.loadtest.dataset;

import java.util.SplittableRandom;

/**
 * Generates the project's synthetic clustered data ("Dataset A" in the local performance anchors): 64 centers drawn
 * from N(0, 1); every vector is a uniformly chosen center plus 0.35 * N(0, 1) noise per coordinate. Base vectors
 * (centers, labels, noise) come from the seed; queries take their labels and noise from a second generator seeded
 * with {@value #QUERY_SEED} but lie around the same centers, so they are in-distribution. Deterministic for a seed.
 */
public final class ClusteredDataset {

    /** The number of cluster centers. */
    public static final int CENTERS = 64;
    /** The standard deviation of the noise around a center. */
    public static final double SPREAD = 0.35;
    /** The seed of the query generator, fixed by the convention whatever the base seed. */
    public static final long QUERY_SEED = 99;

    private ClusteredDataset() {}

    /**
     * Returns {@code n} base and {@code queries} query vectors of dimension {@code dimension}.
     *
     * @throws IllegalArgumentException when a size is below 1
     */
    public static Dataset generate(int n, int dimension, int queries, long seed) {
        if (n < 1 || dimension < 1 || queries < 1) {
            throw new IllegalArgumentException("n, dim and queries must be at least 1, were "
                    + n + ", " + dimension + ", " + queries);
        }
        SplittableRandom baseRandom = new SplittableRandom(seed);
        float[][] centers = gaussian(baseRandom, CENTERS, dimension, 1.0);
        float[][] base = around(centers, baseRandom, n);
        float[][] queryVectors = around(centers, new SplittableRandom(QUERY_SEED), queries);
        return new Dataset("synthetic", base, queryVectors);
    }

    /** Draws all labels first, then the noise row by row, in the order the reference generator uses. */
    private static float[][] around(float[][] centers, SplittableRandom random, int count) {
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = random.nextInt(centers.length);
        }
        float[][] vectors = gaussian(random, count, centers[0].length, SPREAD);
        for (int i = 0; i < count; i++) {
            float[] center = centers[labels[i]];
            float[] v = vectors[i];
            for (int d = 0; d < v.length; d++) {
                v[d] += center[d];
            }
        }
        return vectors;
    }

    private static float[][] gaussian(SplittableRandom random, int count, int dimension, double scale) {
        float[][] vectors = new float[count][dimension];
        for (float[] v : vectors) {
            for (int d = 0; d < dimension; d++) {
                v[d] = (float) (scale * random.nextGaussian());
            }
        }
        return vectors;
    }
}
