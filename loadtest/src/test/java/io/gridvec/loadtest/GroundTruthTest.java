package io.gridvec.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gridvec.index.vector.Metric;
import org.junit.jupiter.api.Test;

class GroundTruthTest {

    /** Base vector i is (i, 0): the exact neighbours of a point on the x axis are easy to tell by hand. */
    private static final float[][] LINE = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}};

    @Test
    void recallIsTheAverageShareOfTheExactNeighboursFound() {
        // k = 2 by hand: query 0 has {0, 1} (one found below), query 1 has {1, 2} (both found), query 2 has {4, 5}
        // (neither found): (1/2 + 2/2 + 0/2) / 3 = 0.5.
        GroundTruth truth = new GroundTruth(new int[][] {{0, 1}, {1, 2}, {4, 5}}, 2);

        double recall = truth.recall(new int[][] {{1, 3}, {2, 1}, {0, 3}});

        assertThat(recall).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void recallIgnoresMissingHitsAndHitsBeyondK() {
        GroundTruth truth = new GroundTruth(new int[][] {{0, 1}}, 2);

        assertThat(truth.recall(new int[][] {{0, -1}})).isEqualTo(0.5);
        assertThat(truth.recall(new int[][] {{3, 4, 1}})).isEqualTo(0.0);
    }

    @Test
    void computeFindsTheExactNeighboursForL2() throws InterruptedException {
        float[][] queries = {{0.9f, 0.5f}, {4.2f, -1f}};

        GroundTruth truth = GroundTruth.compute(LINE, queries, 3, Metric.L2, 2);

        assertThat(truth.recall(new int[][] {{1, 0, 2}, {4, 5, 3}})).isEqualTo(1.0);
        assertThat(truth.recall(new int[][] {{1, 0, 3}, {4, 5, 2}})).isCloseTo(4.0 / 6, within(1e-12));
    }

    @Test
    void computeRanksByLargestDotProductForDot() throws InterruptedException {
        // For query (1, 0) the dot product grows with x: the largest x are nearest.
        GroundTruth truth = GroundTruth.compute(LINE, new float[][] {{1, 0}}, 2, Metric.DOT, 1);

        assertThat(truth.recall(new int[][] {{5, 4}})).isEqualTo(1.0);
    }
}
