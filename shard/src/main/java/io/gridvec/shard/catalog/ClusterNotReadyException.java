package io.gridvec.shard.catalog;

/** The cluster cannot serve the request yet (it is not active). */
public final class ClusterNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ClusterNotReadyException(String message) {
        super(message);
    }
}
