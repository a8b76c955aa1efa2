package io.gridvec.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;

/**
 * Measures single-threaded queries per second of several engines, each at its own ef, one query at a time: first a
 * warm-up that cycles through the engines, then interleaved trials (A, B, A, B, ...) so drift of the machine hits
 * every engine alike. A trial loops over the whole query set until at least {@link #TRIAL_NANOS} have passed; an
 * engine's QPS is the median of its trials.
 */
final class QpsMeter {

    /** Rounds of warm-up; each gives every engine one trial's time, untimed. */
    private static final int WARMUP_ROUNDS = 3;
    /** Measured trials per engine: three give a median that one slow trial cannot move. */
    private static final int TRIALS = 3;
    /** The shortest trial: 1.5 s, long enough that timer and loop overheads vanish. */
    private static final long TRIAL_NANOS = 1_500_000_000L;

    /** An engine and the ef to search it with. */
    record Target(Engine engine, int ef) {}

    /** One engine's trials in the order they ran, and their median. */
    record Result(double[] trials, double median) {}

    private QpsMeter() {}

    /**
     * Returns one result per target, in the order given.
     *
     * @throws IOException when an engine fails to search
     */
    static List<Result> measure(List<Target> targets, float[][] queries, int k, PrintWriter log) throws IOException {
        for (int round = 1; round <= WARMUP_ROUNDS; round++) {
            for (Target target : targets) {
                double qps = trial(target, queries, k);
                log.printf("warm-up %d/%d %s: ef %d, %.0f QPS%n", round, WARMUP_ROUNDS, target.engine().name(),
                        target.ef(), qps);
            }
        }
        double[][] trials = new double[targets.size()][TRIALS];
        for (int t = 0; t < TRIALS; t++) {
            for (int e = 0; e < targets.size(); e++) {
                Target target = targets.get(e);
                trials[e][t] = trial(target, queries, k);
                log.printf("trial %d/%d %s: ef %d, %.0f QPS%n", t + 1, TRIALS, target.engine().name(), target.ef(),
                        trials[e][t]);
            }
        }
        return Arrays.stream(trials).map(t -> new Result(t, median(t))).toList();
    }

    private static double trial(Target target, float[][] queries, int k) throws IOException {
        Engine engine = target.engine();
        int ef = target.ef();
        int[] ids = new int[k];
        long searched = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            for (float[] query : queries) {
                engine.search(query, k, ef, ids);
            }
            searched += queries.length;
            elapsed = System.nanoTime() - start;
        } while (elapsed < TRIAL_NANOS);
        return searched * 1e9 / elapsed;
    }

    /** Returns the median; the mean of the middle two for an even count. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
