package io.gridvec.loadtest.dataset;

import java.util.SplittableRandom;

/**
 * Generates vectors with every coordinate uniform in [-1, 1): no clusters, so neighbours are barely nearer than the
 * rest, the hard case for a graph index. Base vectors come from the seed, queries from a second generator seeded with
 * {@link ClusteredDataset#QUERY_SEED}. Deterministic for a seed.
 */
public final class UniformDataset {

    private UniformDataset() {}

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
        return new Dataset("uniform", uniform(new SplittableRandom(seed), n, dimension),
                uniform(new SplittableRandom(ClusteredDataset.QUERY_SEED), queries, dimension));
    }

    private static float[][] uniform(SplittableRandom random, int count, int dimension) {
        float[][] vectors = new float[count][dimension];
        for (float[] v : vectors) {
            for (int d = 0; d < dimension; d++) {
                v[d] = (float) random.nextDouble(-1, 1);
            }
        }
        return vectors;
    }
}
