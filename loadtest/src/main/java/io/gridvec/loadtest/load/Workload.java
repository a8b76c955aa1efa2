package io.gridvec.loadtest.load;

import java.util.function.Consumer;

/** What a load test sends: for each sequence number, one request. Implementations are thread-safe. */
@FunctionalInterface
interface Workload {

    /**
     * One request and what to do with its answer.
     *
     * @param op the operation's name in reports ({@code search}, {@code upsert}, {@code delete})
     * @param onAnswer called with every answer, on the thread that received it (checks recall, remembers ids)
     */
    record Call(String op, String method, String path, byte[] body, Consumer<RestTargets.Response> onAnswer) {}

    /** Returns the request with sequence number {@code sequence} (0, 1, ...). */
    Call next(long sequence);
}
