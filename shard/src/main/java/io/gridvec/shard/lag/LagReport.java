package io.gridvec.shard.lag;

import java.io.Serializable;

/** One node's index lag and bound, as it publishes them to the other nodes. Immutable. */
final class LagReport implements Serializable {

    private static final long serialVersionUID = 1L;

    final String node;
    final long records;
    final long bytes;
    final long maxRecords;
    final long maxBytes;

    LagReport(String node, long records, long bytes, long maxRecords, long maxBytes) {
        this.node = node;
        this.records = records;
        this.bytes = bytes;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    static boolean atBound(long records, long bytes, long maxRecords, long maxBytes) {
        return records >= maxRecords || bytes >= maxBytes;
    }

    boolean atBound() {
        return atBound(records, bytes, maxRecords, maxBytes);
    }

    /** Describes the lag against its bound for an error message or a log line. */
    String describe() {
        return "node " + node + " has " + records + " records (" + bytes / (1024 * 1024) + " MiB) waiting to be "
                + "indexed; its bound is " + maxRecords + " records or " + maxBytes / (1024 * 1024) + " MiB";
    }
}
