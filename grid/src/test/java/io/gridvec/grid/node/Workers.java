package io.gridvec.grid.node;

import java.util.Queue;

/** Test worker threads whose failures are collected for the test thread to assert, never lost in the worker. */
final class Workers {

    private Workers() {}

    /** A body that may throw. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /** Starts a thread running {@code body}; what it throws is added to {@code failures}. */
    static Thread worker(String name, Queue<String> failures, Body body) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Exception | AssertionError e) {
                failures.add(name + ": " + e);
            }
        });
    }
}
