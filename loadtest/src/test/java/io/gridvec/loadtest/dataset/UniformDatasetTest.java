package io.gridvec.loadtest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UniformDatasetTest {

    @Test
    void generateHasTheRequestedShapeAndRange() {
        Dataset data = UniformDataset.generate(500, 13, 40, 7);

        assertThat(data.name()).isEqualTo("uniform");
        assertThat(data.base()).hasNumberOfRows(500);
        assertThat(data.queries()).hasNumberOfRows(40);
        assertThat(data.dimension()).isEqualTo(13);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float[] v : data.base()) {
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        // 6,500 draws: both ends of [-1, 1) are approached, neither is passed.
        assertThat(min).isBetween(-1f, -0.99f);
        assertThat(max).isBetween(0.99f, 1f);
    }

    @Test
    void generateIsDeterministicForASeedAndQueriesDoNotDependOnIt() {
        Dataset first = UniformDataset.generate(300, 8, 20, 7);
        Dataset again = UniformDataset.generate(300, 8, 20, 7);
        Dataset other = UniformDataset.generate(300, 8, 20, 8);

        assertThat(again.base()).isDeepEqualTo(first.base());
        assertThat(other.base()[0]).isNotEqualTo(first.base()[0]);
        assertThat(other.queries()).isDeepEqualTo(first.queries());
    }

    @Test
    void sizesBelowOneAreRefused() {
        assertThatThrownBy(() -> UniformDataset.generate(0, 8, 1, 7))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("were 0, 8, 1");
    }
}
