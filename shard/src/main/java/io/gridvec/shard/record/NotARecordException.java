package io.gridvec.shard.record;

/** An id holds a value written outside Gridvec (a thin client, SQL) that is not a record, so it cannot be read as one. */
public final class NotARecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    NotARecordException(String collection, String id, String problem) {
        super("'" + id + "' in collection '" + collection + "' holds a value that is not a Gridvec record (" + problem
                + "); replace it with PUT .../records or delete it");
    }
}
