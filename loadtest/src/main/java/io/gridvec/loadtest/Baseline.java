package io.gridvec.loadtest;

import io.gridvec.index.vector.Metric;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * The in-process baseline of a load test: the same base vectors in one {@code HnswIndex} (no network, no cluster),
 * tuned to the same recall@k as the cluster, then searched one query at a time (latency percentiles) and by
 * {@code threads} threads at once (QPS). Reports what a cluster's figures are divided by.
 */
public final class Baseline {

    /** How long the multi-threaded QPS measurement runs. */
    private static final long QPS_NANOS = TimeUnit.SECONDS.toNanos(3);

    private Baseline() {}

    /**
     * Builds, tunes and measures; returns the figures (latencies in ms).
     *
     * @throws InterruptedException when interrupted
     */
    public static Map<String, Object> measure(float[][] base, float[][] queries, GroundTruth truth, Metric metric,
            int m, int efConstruction, long seed, double targetRecall, int threads, PrintWriter log)
            throws InterruptedException {
        int k = truth.k();
        GridvecEngine engine = GridvecEngine.build(base, metric, m, efConstruction, seed, threads);
        log.printf("baseline: HnswIndex built in %.1f s (M %d, efConstruction %d, %d threads)%n",
                engine.buildSeconds(), m, efConstruction, threads);
        EfTuner.Tuning tuning;
        try {
            tuning = EfTuner.tune(engine, queries, truth, k, targetRecall, log);
        } catch (IOException e) {
            throw new IllegalStateException("an in-memory index cannot fail to read", e);
        }
        int ef = tuning.ef();
        int[] ids = new int[k];
        for (float[] query : queries) {
            engine.search(query, k, ef, ids); // warm-up
        }
        Histogram latency = new Histogram(3);
        long start = System.nanoTime();
        for (float[] query : queries) {
            long t = System.nanoTime();
            engine.search(query, k, ef, ids);
            latency.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
        }
        double sequentialQps = queries.length / ((System.nanoTime() - start) / 1e9);
        double qps = parallelQps(engine, queries, k, ef, threads);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("engine", "HnswIndex, in process");
        figures.put("m", m);
        figures.put("efConstruction", efConstruction);
        figures.put("buildSeconds", Math.round(engine.buildSeconds() * 100) / 100.0);
        figures.put("targetRecall", Math.round(targetRecall * 10_000) / 10_000.0);
        figures.put("ef", ef);
        figures.put("recall", Math.round(tuning.recall() * 10_000) / 10_000.0);
        figures.put("p50", latency.getValueAtPercentile(50) / 1000.0);
        figures.put("p95", latency.getValueAtPercentile(95) / 1000.0);
        figures.put("p99", latency.getValueAtPercentile(99) / 1000.0);
        figures.put("p999", latency.getValueAtPercentile(99.9) / 1000.0);
        figures.put("max", latency.getMaxValue() / 1000.0);
        figures.put("sequentialQps", Math.round(sequentialQps));
        figures.put("threads", threads);
        figures.put("qps", Math.round(qps));
        log.printf("baseline: ef %d recall %.4f, p50 %.3f ms, %d threads %.0f QPS%n", ef, tuning.recall(),
                latency.getValueAtPercentile(50) / 1000.0, threads, qps);
        return figures;
    }

    private static double parallelQps(GridvecEngine engine, float[][] queries, int k, int ef, int threads)
            throws InterruptedException {
        LongAdder searched = new LongAdder();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        long end = System.nanoTime() + QPS_NANOS;
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            GridvecEngine searcher = engine.searcher();
            int first = t;
            workers.add(Thread.ofPlatform().start(() -> {
                int[] ids = new int[k];
                try {
                    for (int q = first; System.nanoTime() - end < 0; q = (q + 1) % queries.length) {
                        searcher.search(queries[q], k, ef, ids);
                        searched.increment();
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return searched.sum() / ((System.nanoTime() - start) / 1e9);
    }
}
