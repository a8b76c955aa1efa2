package io.gridvec.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EfTunerTest {

    private static final int K = 2;
    private static final float[][] QUERIES = {{0f}, {1f}, {2f}, {3f}};
    /** Query q's exact neighbours are {q, q + 10}. */
    private static final GroundTruth TRUTH = new GroundTruth(new int[][] {{0, 10}, {1, 11}, {2, 12}, {3, 13}}, K);

    /** Returns both true neighbours from {@code fullAt} on, only the first from {@code halfAt}, none below. */
    private record SteppedEngine(int halfAt, int fullAt) implements Engine {
        @Override
        public String name() {
            return "stepped";
        }

        @Override
        public double buildSeconds() {
            return 0;
        }

        @Override
        public int search(float[] query, int k, int ef, int[] ids) {
            int q = (int) query[0];
            ids[0] = ef >= halfAt ? q : 100;
            ids[1] = ef >= fullAt ? q + 10 : 101;
            return k;
        }

        @Override
        public void close() {}
    }

    private final StringWriter log = new StringWriter();

    @Test
    void tuneBisectsToWithinASixteenthAboveTheLowestSufficientEf() throws Exception {
        EfTuner.Tuning tuning = tune(new SteppedEngine(1, 37), 1.0);

        // Sweep 10, 16, 24, 32 (recall 0.5), 48 (1.0); bisection 40 (1.0), 36 (0.5), 38 (1.0), then 36..38 is
        // within 38 / 16.
        assertThat(tuning.targetReached()).isTrue();
        assertThat(tuning.ef()).isEqualTo(38);
        assertThat(tuning.recall()).isEqualTo(1.0);
        assertThat(tuning.points()).extracting(EfTuner.Point::ef).containsExactly(2, 10, 16, 24, 32, 36, 38, 40, 48);
        assertThat(log.toString()).contains("stepped: ef 36 recall 0.5000");
    }

    @Test
    void tuneTakesKItselfWhenItIsEnough() throws Exception {
        EfTuner.Tuning tuning = tune(new SteppedEngine(1, 1), 0.95);

        assertThat(tuning.ef()).isEqualTo(K);
        assertThat(tuning.points()).hasSize(1);
    }

    @Test
    void tuneReportsTheLowestEfWithTheBestRecallWhenTheTargetIsOutOfReach() throws Exception {
        EfTuner.Tuning tuning = tune(new SteppedEngine(20, 5_000), 0.9);

        assertThat(tuning.targetReached()).isFalse();
        assertThat(tuning.ef()).isEqualTo(24);
        assertThat(tuning.recall()).isEqualTo(0.5);
        assertThat(tuning.points()).last().extracting(EfTuner.Point::ef).isEqualTo(1024);
    }

    private EfTuner.Tuning tune(Engine engine, double target) throws Exception {
        try (PrintWriter writer = new PrintWriter(log)) {
            return EfTuner.tune(engine, QUERIES, TRUTH, K, target, writer);
        }
    }
}
