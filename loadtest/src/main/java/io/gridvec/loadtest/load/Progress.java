package io.gridvec.loadtest.load;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ticks a {@link StepRecorder} once a second (closing its interval into the timeline) and prints a progress line;
 * one last tick on {@link #close}. Not thread-safe: one owner opens and closes it.
 */
final class Progress implements AutoCloseable {

    private final StepRecorder recorder;
    private final String label;
    private final PrintWriter out;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "loadtest-progress");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param out where the line goes (stderr), or null for none
     */
    Progress(StepRecorder recorder, String label, PrintWriter out) {
        this.recorder = recorder;
        this.label = label;
        this.out = out;
        timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private void tick() {
        StepRecorder.Point point = recorder.tick();
        if (out != null) {
            out.printf("%s: %4.0fs %8.1f/s  p50 %7.2f ms  p99 %8.2f ms  errors %d%n", label, point.atSeconds(),
                    point.rate(), point.p50(), point.p99(), recorder.errors());
            out.flush();
        }
    }

    /**
     * Stops the timer and ticks once more.
     *
     * @throws InterruptedException when interrupted while the timer stops
     */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the progress timer did not stop");
        }
        tick();
    }
}
