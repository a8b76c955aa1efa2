package io.gridvec.shard.lag;

/**
 * A write refused because a node that owns one of its records has reached its index-lag bound and did not fall below
 * it within the wait; the client should retry after {@link #retryAfterSeconds()}. Nothing of the write was applied.
 */
public final class IndexLagException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int retryAfterSeconds;

    IndexLagException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Returns how long the client should wait before it retries. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
