package io.gridvec.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs a task for every index of a range on a fixed number of threads: the one way this module goes parallel. */
final class Parallel {

    /** Work on one index, which may fail with the checked exception {@code E}. */
    @FunctionalInterface
    interface IndexTask<E extends Exception> {
        void run(int index) throws E;
    }

    private Parallel() {}

    /**
     * Runs {@code task} for every index in {@code [0, n)} on {@code threads} new threads, thread {@code t} taking
     * {@code t, t + threads, ...} so the threads move through the range side by side. Returns when all are done;
     * rethrows the first failure as the task threw it.
     *
     * @throws InterruptedException when the caller is interrupted while waiting
     */
    static <E extends Exception> void forEach(int threads, int n, IndexTask<E> task) throws E, InterruptedException {
        List<Future<Void>> futures = new ArrayList<>(threads);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                int first = t;
                futures.add(pool.submit(() -> {
                    for (int i = first; i < n; i += threads) {
                        task.run(i);
                    }
                    return null;
                }));
            }
            for (Future<Void> future : futures) {
                Parallel.<E>await(future);
            }
        }
    }

    /** A task throws only E or unchecked exceptions, so the cast below cannot fail. */
    @SuppressWarnings("unchecked")
    private static <E extends Exception> void await(Future<Void> future) throws E, InterruptedException {
        try {
            future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw (E) cause;
        }
    }
}
