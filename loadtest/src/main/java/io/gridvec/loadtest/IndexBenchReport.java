package io.gridvec.loadtest;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one {@code bench index} run, serialized as one JSON object: the setup's fields, then one object per
 * engine, then the ratios (fields in declaration order).
 *
 * @param qpsRatio gridvec.qps / lucene.qps: above 1, Gridvec answers faster at the target recall
 * @param buildRatio lucene.buildSeconds / gridvec.buildSeconds: above 1, Gridvec builds faster
 * @param targetReached whether both engines reached the target recall
 */
record IndexBenchReport(@JsonUnwrapped Setup setup, EngineReport gridvec, EngineReport lucene, double qpsRatio,
        double buildRatio, boolean targetReached) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was measured and how. */
    record Setup(String dataset, int n, int dim, int k, int queries, String metric, double targetRecall, int m,
            int efConstruction, int threads, String kernels, String javaVersion) {}

    /**
     * One engine's figures: recall@k and QPS (median of the trials) at the chosen ef, and the build's wall time.
     *
     * @param sweep every ef measured while tuning, with its recall
     */
    record EngineReport(double recall, double qps, int ef, double buildSeconds, boolean targetReached,
            double[] qpsTrials, List<EfTuner.Point> sweep) {

        static EngineReport of(Engine engine, EfTuner.Tuning tuning, QpsMeter.Result qps) {
            return new EngineReport(round(tuning.recall(), 4), round(qps.median(), 1), tuning.ef(),
                    round(engine.buildSeconds(), 3), tuning.targetReached(),
                    Arrays.stream(qps.trials()).map(q -> round(q, 1)).toArray(),
                    tuning.points().stream().map(p -> new EfTuner.Point(p.ef(), round(p.recall(), 4))).toList());
        }
    }

    /** Returns the report with the ratios computed from the two engines' figures. */
    static IndexBenchReport of(Setup setup, EngineReport gridvec, EngineReport lucene) {
        return new IndexBenchReport(setup, gridvec, lucene, round(gridvec.qps() / lucene.qps(), 3),
                round(lucene.buildSeconds() / gridvec.buildSeconds(), 3),
                gridvec.targetReached() && lucene.targetReached());
    }

    /** Returns the report as one line of JSON. */
    String toJson() throws JsonProcessingException {
        return JSON.writeValueAsString(this);
    }

    /** Returns a short human-readable summary. */
    String summary() {
        Setup s = setup;
        return String.format(Locale.ROOT, """
                %s: %d base x %d, %d queries, k=%d, %s, M=%d, efConstruction=%d, %d threads, %s kernels, Java %s
                target recall@%d %.3f%s
                %s
                %s
                qpsRatio %.3f (gridvec/lucene QPS), buildRatio %.3f (lucene/gridvec build seconds; >1: Gridvec \
                builds faster)""",
                s.dataset(), s.n(), s.dim(), s.queries(), s.k(), s.metric(), s.m(), s.efConstruction(), s.threads(),
                s.kernels(), s.javaVersion(), s.k(), s.targetRecall(),
                targetReached ? "" : ": NOT reached by every engine",
                line("gridvec", gridvec), line("lucene", lucene), qpsRatio, buildRatio);
    }

    private static String line(String name, EngineReport e) {
        return String.format(Locale.ROOT, "%-8s recall %.4f at ef %d%s, %.0f QPS, build %.2f s", name + ":",
                e.recall(), e.ef(), e.targetReached() ? "" : " (target not reached)", e.qps(), e.buildSeconds());
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
