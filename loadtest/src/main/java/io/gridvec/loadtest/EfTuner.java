package io.gridvec.loadtest;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Finds the lowest ef (the search beam width) at which an engine reaches a target recall@k: a sweep over fixed ef
 * values from k up, stopping at the first that reaches the target, then bisection between it and the sweep point
 * below until the two are within about 6% of each other. Recall is deterministic for a built index, so each ef is
 * measured once, with one untimed pass over all queries.
 */
public final class EfTuner {

    /** The sweep; values below k are skipped and k itself is tried first. */
    private static final int[] SWEEP = {10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024};
    /** Bisection stops when the bracket is at most 1/16 of its upper end wide. */
    private static final int REFINE_FRACTION = 16;

    /** Recall@k at one ef. */
    public record Point(int ef, double recall) {}

    /**
     * The chosen ef with its recall; when no ef reached the target, the one with the best recall.
     *
     * @param points every ef measured, ascending
     */
    public record Tuning(int ef, double recall, boolean targetReached, List<Point> points) {}

    private final Engine engine;
    private final float[][] queries;
    private final GroundTruth truth;
    private final int k;
    private final PrintWriter log;
    private final List<Point> points = new ArrayList<>();

    private EfTuner(Engine engine, float[][] queries, GroundTruth truth, int k, PrintWriter log) {
        this.engine = engine;
        this.queries = queries;
        this.truth = truth;
        this.k = k;
        this.log = log;
    }

    /**
     * Tunes {@code engine} for recall@k {@code target} on {@code queries}, logging every point to {@code log}.
     *
     * @throws IOException when the engine fails to search
     */
    public static Tuning tune(Engine engine, float[][] queries, GroundTruth truth, int k, double target, PrintWriter log)
            throws IOException {
        return new EfTuner(engine, queries, truth, k, log).tune(target);
    }

    /** Returns k followed by the sweep values above k. */
    private static int[] sweep(int k) {
        return IntStream.concat(IntStream.of(k), IntStream.of(SWEEP).filter(ef -> ef > k)).toArray();
    }

    private Tuning tune(double target) throws IOException {
        int below = -1;
        for (int ef : sweep(k)) {
            if (measure(ef) >= target) {
                int chosen = below < 0 ? ef : refine(below, ef, target);
                points.sort(Comparator.comparingInt(Point::ef));
                return new Tuning(chosen, recallAt(chosen), true, List.copyOf(points));
            }
            below = ef;
        }
        Point best = points.stream()
                .max(Comparator.comparingDouble(Point::recall).thenComparing(Point::ef, Comparator.reverseOrder()))
                .orElseThrow();
        return new Tuning(best.ef(), best.recall(), false, List.copyOf(points));
    }

    /** Bisects between an ef below the target and one at or above it; returns the lowest ef found at or above. */
    private int refine(int below, int above, double target) throws IOException {
        while (above - below > Math.max(1, above / REFINE_FRACTION)) {
            int mid = (below + above) >>> 1;
            if (measure(mid) >= target) {
                above = mid;
            } else {
                below = mid;
            }
        }
        return above;
    }

    private double measure(int ef) throws IOException {
        int[][] found = new int[queries.length][k];
        for (int q = 0; q < queries.length; q++) {
            int n = engine.search(queries[q], k, ef, found[q]);
            for (int i = n; i < k; i++) {
                found[q][i] = -1;
            }
        }
        double recall = truth.recall(found);
        points.add(new Point(ef, recall));
        log.printf("%s: ef %d recall %.4f%n", engine.name(), ef, recall);
        return recall;
    }

    private double recallAt(int ef) {
        return points.stream().filter(p -> p.ef() == ef).findFirst().orElseThrow().recall();
    }
}
