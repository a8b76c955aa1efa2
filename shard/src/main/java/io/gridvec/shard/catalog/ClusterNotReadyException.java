package io.gridvec.shard.catalog;

/** The cluster cannot serve the request now: it is not active, or partitions the request needs have no owner online. */
public final class ClusterNotReadyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterNotReadyException(String message) {
        super(message);
    }
}
