package io.gridvec.loadtest.load;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a {@link Workload} against the cluster in one of two ways, recording into a {@link StepRecorder} and printing a
 * progress line every second.
 * <ul>
 *   <li><b>Open loop</b> ({@link #openLoop}): request {@code i} is due at {@code start + i / rate} and is sent then,
 *   whatever earlier requests are doing; its latency runs from that due time, so a stalled cluster shows as the
 *   latency its users would see (no coordinated omission). At most {@code maxInFlight} requests are outstanding, to
 *   bound memory; when that many are, the next is sent late but still measured from its due time.</li>
 *   <li><b>Closed loop</b> ({@link #closedLoop}): {@code clients} threads each send a request, wait for its answer, and
 *   send the next; latency runs from the send.</li>
 * </ul>
 * A generator is used by one caller at a time.
 */
final class Generator {

    private final RestTargets targets;
    private final PrintWriter progress;
    private final String label;

    /**
     * @param label what the progress line says the step is ({@code "search 250/s"})
     * @param progress where the progress line goes (stderr), or null for none
     */
    Generator(RestTargets targets, String label, PrintWriter progress) {
        this.targets = targets;
        this.label = label;
        this.progress = progress;
    }

    /**
     * Sends {@code rate} requests per second for {@code duration}, then waits for every answer.
     *
     * @throws InterruptedException when interrupted
     */
    StepRecorder openLoop(Workload workload, double rate, Duration duration, int maxInFlight)
            throws InterruptedException {
        if (!(rate > 0) || maxInFlight < 1) {
            throw new IllegalArgumentException("rate must be above 0 and maxInFlight at least 1, were " + rate
                    + " and " + maxInFlight);
        }
        StepRecorder recorder = new StepRecorder();
        Semaphore inFlight = new Semaphore(maxInFlight);
        long start = recorder.startNanos();
        long end = start + duration.toNanos();
        double period = 1e9 / rate;
        try (Progress ticker = new Progress(recorder, label, progress)) {
            for (long i = 0; ; i++) {
                long due = start + (long) (i * period);
                if (due - end >= 0) {
                    break;
                }
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                inFlight.acquire();
                recorder.recordSendLag(System.nanoTime() - due);
                send(workload.next(i), due, recorder).whenComplete((ignored, failure) -> inFlight.release());
            }
            inFlight.acquire(maxInFlight);
        }
        return recorder;
    }

    /**
     * Runs {@code clients} threads that each send requests one after another for {@code duration}.
     *
     * @throws InterruptedException when interrupted
     */
    StepRecorder closedLoop(Workload workload, int clients, Duration duration) throws InterruptedException {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be at least 1, was " + clients);
        }
        StepRecorder recorder = new StepRecorder();
        long end = recorder.startNanos() + duration.toNanos();
        AtomicLong sequence = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try (Progress ticker = new Progress(recorder, label, progress)) {
            for (int c = 0; c < clients; c++) {
                threads.add(Thread.ofPlatform().name("loadtest-client-" + c).start(() -> {
                    try {
                        while (System.nanoTime() - end < 0 && failure.get() == null) {
                            send(workload.next(sequence.getAndIncrement()), System.nanoTime(), recorder).join();
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a client thread failed", failure.get());
        }
        return recorder;
    }

    /** Sends one call; the returned future completes after the answer (or failure) is recorded, never exceptionally. */
    private CompletableFuture<Void> send(Workload.Call call, long dueNanos,
            StepRecorder recorder) {
        return targets.send(call.method(), call.path(), call.body()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                recorder.record(call.op(), dueNanos, StepRecorder.Outcome.ERROR, cause.toString());
            } else if (response.status() == 429) {
                recorder.record(call.op(), dueNanos, StepRecorder.Outcome.THROTTLED, null);
            } else if (!response.ok()) {
                recorder.record(call.op(), dueNanos, StepRecorder.Outcome.ERROR,
                        response.status() + " " + abbreviate(response.body()));
            } else {
                try {
                    call.onAnswer().accept(response);
                    recorder.record(call.op(), dueNanos, StepRecorder.Outcome.OK, null);
                } catch (RuntimeException e) {
                    recorder.record(call.op(), dueNanos, StepRecorder.Outcome.ERROR, "unreadable answer: " + e);
                }
            }
            return null;
        });
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }
}
