package io.gridvec.shard.catalog;

/**
 * Another request (or a repair) is creating or deleting the collection a request names, and did not finish within
 * the time a request waits for it; the client should retry after {@link #retryAfterSeconds()}.
 */
public final class CollectionBusyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** How long a client should wait before retrying, in seconds. */
    private static final int RETRY_AFTER_SECONDS = 1;

    CollectionBusyException(String message) {
        super(message);
    }

    /** Returns how long the client should wait before retrying, in seconds. */
    public int retryAfterSeconds() {
        return RETRY_AFTER_SECONDS;
    }
}
