package io.gridvec.loadtest.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The figures of one step of a load test, latencies in milliseconds.
 *
 * @param rate the scheduled rate (requests/s) of an open-loop step; null for closed loop
 * @param clients the concurrent clients of a closed-loop step; null for open loop
 * @param achievedRate successful requests (records, for ingest) per second, from the step's start to its last answer
 * @param errors requests that failed (no answer, or a status other than 2xx and 429)
 * @param recall recall@k of the searches; null when the step searched nothing
 * @param extra scenario-specific figures (throttled, retried, per-operation counts, ...)
 */
record Step(String scenario, Double rate, Integer clients, double achievedRate, double p50, double p95, double p99,
        double p999, double max, long errors, Double recall, Map<String, Object> extra,
        List<StepRecorder.Point> timeline) {

    /** Builds the step from what {@code recorder} measured (after its last tick). */
    static Step of(String scenario, Double rate, Integer clients, StepRecorder recorder, double achievedRate,
            Double recall, Map<String, Object> extra) {
        Histogram total = recorder.total();
        Map<String, Object> figures = new LinkedHashMap<>(extra);
        figures.put("requests", total.getTotalCount());
        figures.put("throttled", recorder.count(StepRecorder.Outcome.THROTTLED));
        figures.put("seconds", round(recorder.elapsedNanos() / 1e9));
        if (recorder.firstError() != null) {
            figures.put("firstError", recorder.firstError());
        }
        figures.put("operations", recorder.perOperation());
        return new Step(scenario, rate, clients, round(achievedRate), StepRecorder.ms(total, 50),
                StepRecorder.ms(total, 95), StepRecorder.ms(total, 99), StepRecorder.ms(total, 99.9),
                total.getTotalCount() == 0 ? 0 : total.getMaxValue() / 1000.0, recorder.errors(),
                recall == null || recall.isNaN() ? null : Math.round(recall * 10_000) / 10_000.0, figures,
                recorder.timeline());
    }

    /** Successful requests per second over the step. */
    static double okRate(StepRecorder recorder) {
        double seconds = recorder.elapsedNanos() / 1e9;
        return seconds <= 0 ? 0 : recorder.count(StepRecorder.Outcome.OK) / seconds;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** The step as the report's JSON fields, in the documented order. */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("scenario", scenario);
        map.put("rate", rate);
        map.put("clients", clients);
        map.put("achievedRate", achievedRate);
        map.put("p50", p50);
        map.put("p95", p95);
        map.put("p99", p99);
        map.put("p999", p999);
        map.put("max", max);
        map.put("errors", errors);
        map.put("recall", recall);
        map.putAll(extra);
        map.put("timeline", timeline.stream().map(p -> List.of(round(p.atSeconds()), round(p.rate()), p.p50(),
                p.p99(), p.max(), p.errors())).toList());
        return map;
    }
}
