package io.gridvec.loadtest.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClusteredDatasetTest {

    @Test
    void generateHasTheRequestedShape() {
        Dataset data = ClusteredDataset.generate(500, 13, 40, 7);

        assertThat(data.name()).isEqualTo("synthetic");
        assertThat(data.base()).hasNumberOfRows(500);
        assertThat(data.queries()).hasNumberOfRows(40);
        assertThat(data.dimension()).isEqualTo(13);
        assertThat(data.queries()[39]).hasSize(13);
    }

    @Test
    void generateIsDeterministicForASeed() {
        Dataset first = ClusteredDataset.generate(300, 8, 20, 7);
        Dataset second = ClusteredDataset.generate(300, 8, 20, 7);

        assertThat(second.base()).isDeepEqualTo(first.base());
        assertThat(second.queries()).isDeepEqualTo(first.queries());
    }

    @Test
    void anotherSeedGivesOtherBaseVectors() {
        Dataset seven = ClusteredDataset.generate(300, 8, 20, 7);
        Dataset eight = ClusteredDataset.generate(300, 8, 20, 8);

        assertThat(eight.base()[0]).isNotEqualTo(seven.base()[0]);
    }

    @Test
    void queriesLieInTheBaseClusters() {
        // Noise 0.35 per coordinate over 32 dimensions puts a query about 0.35 * sqrt(2 * 32) = 2.8 from a base
        // vector of its own cluster, while two centers are about sqrt(2 * 32) = 8 apart.
        Dataset data = ClusteredDataset.generate(2_000, 32, 50, 7);

        for (float[] query : data.queries()) {
            double nearest = Double.MAX_VALUE;
            for (float[] v : data.base()) {
                nearest = Math.min(nearest, distance(query, v));
            }
            assertThat(nearest).isLessThan(4.0);
        }
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
