package io.gridvec.loadtest.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Everything measured in one step of a load test: the latency of every request (HdrHistogram, microseconds, 3
 * significant digits) per operation and in total, per-second intervals for the timeline, outcomes, and how late the
 * generator sent each request against its schedule. Recording is lock-free and thread-safe; {@link #tick} and
 * {@link #interval} are called from one thread at a time.
 */
final class StepRecorder {

    /** How a request ended. */
    enum Outcome { OK, THROTTLED, ERROR }

    /** One second (or so) of the step: completions per second, latency percentiles in ms, errors. */
    record Point(double atSeconds, double rate, double p50, double p99, double max, long errors) {}

    /** Counts and latencies of one operation (search, upsert, delete, batch). */
    private static final class Op {
        final Recorder latency = new Recorder(3);
        final Histogram total = new Histogram(3);
        final LongAdder ok = new LongAdder();
        final LongAdder throttled = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    private final long startNanos = System.nanoTime();
    private final Map<String, Op> ops = new ConcurrentHashMap<>();
    private final Recorder all = new Recorder(3);
    private final Histogram allTotal = new Histogram(3);
    private final Recorder sendLag = new Recorder(3);
    private final LongAdder errors = new LongAdder();
    private final List<Point> timeline = new ArrayList<>();
    private long lastTickNanos = startNanos;
    private long lastErrors;
    private volatile long lastCompletionNanos = startNanos;
    private volatile String firstError;

    long startNanos() {
        return startNanos;
    }

    /** Records a request of {@code op} meant to start at {@code intendedNanos} that ended now with {@code outcome}. */
    void record(String op, long intendedNanos, Outcome outcome, String error) {
        long now = System.nanoTime();
        long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(now - intendedNanos));
        Op stats = ops.computeIfAbsent(op, name -> new Op());
        stats.latency.recordValue(micros);
        all.recordValue(micros);
        switch (outcome) {
            case OK -> stats.ok.increment();
            case THROTTLED -> stats.throttled.increment();
            case ERROR -> {
                stats.errors.increment();
                errors.increment();
                if (firstError == null) {
                    firstError = op + ": " + error;
                }
            }
        }
        lastCompletionNanos = now;
    }

    /** Records how much later than scheduled the generator sent a request. */
    void recordSendLag(long lagNanos) {
        sendLag.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(lagNanos)));
    }

    /** Closes the interval since the last tick, adds it to the totals and the timeline, and returns its point. */
    Point tick() {
        long now = System.nanoTime();
        Histogram interval = all.getIntervalHistogram();
        allTotal.add(interval);
        for (Op op : ops.values()) {
            op.total.add(op.latency.getIntervalHistogram());
        }
        long errorCount = errors.sum();
        double seconds = Math.max(1e-9, (now - lastTickNanos) / 1e9);
        Point point = new Point((now - startNanos) / 1e9, interval.getTotalCount() / seconds, ms(interval, 50),
                ms(interval, 99), interval.getTotalCount() == 0 ? 0 : interval.getMaxValue() / 1000.0,
                errorCount - lastErrors);
        lastTickNanos = now;
        lastErrors = errorCount;
        timeline.add(point);
        return point;
    }

    /** Returns the totals so far (call after a final {@link #tick}). */
    Histogram total() {
        return allTotal;
    }

    List<Point> timeline() {
        return List.copyOf(timeline);
    }

    long errors() {
        return errors.sum();
    }

    String firstError() {
        return firstError;
    }

    /** Returns the nanos from the step's start to the last completion. */
    long elapsedNanos() {
        return lastCompletionNanos - startNanos;
    }

    /** Returns the send lag histogram (microseconds) over the whole step. */
    Histogram sendLag() {
        return sendLag.getIntervalHistogram();
    }

    /** Per operation: ok, throttled and error counts and latency percentiles (ms), sorted by name. */
    Map<String, Map<String, Object>> perOperation() {
        Map<String, Map<String, Object>> result = new TreeMap<>();
        ops.forEach((name, op) -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("ok", op.ok.sum());
            figures.put("throttled", op.throttled.sum());
            figures.put("errors", op.errors.sum());
            figures.put("p50", ms(op.total, 50));
            figures.put("p99", ms(op.total, 99));
            result.put(name, figures);
        });
        return result;
    }

    long count(Outcome outcome) {
        long sum = 0;
        for (Op op : ops.values()) {
            sum += switch (outcome) {
                case OK -> op.ok.sum();
                case THROTTLED -> op.throttled.sum();
                case ERROR -> op.errors.sum();
            };
        }
        return sum;
    }

    /** Returns the {@code percentile} of {@code histogram} (microseconds) in milliseconds, 0 when empty. */
    static double ms(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
