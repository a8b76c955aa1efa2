package io.gridvec.shard.lag;

import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's index lag: the writes its shards have seen but not yet indexed (their tails), in records and in
 * estimated heap bytes, against a bound. Shards count writes in and out on Ignite's update path, so both are plain
 * atomic adds; {@link LagBoard} reads them, publishes them to the other nodes and logs when back-pressure starts and
 * ends. Thread-safe.
 */
public final class IndexLag {

    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final long maxRecords;
    private final long maxBytes;

    /**
     * Creates a lag counter bounded at {@code maxRecords} records or {@code maxBytes} bytes, whichever comes first.
     *
     * @throws IllegalArgumentException when a bound is not positive
     */
    public IndexLag(long maxRecords, long maxBytes) {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("index lag bounds must be positive, were " + maxRecords + " records, "
                    + maxBytes + " bytes");
        }
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /** Counts writes entering ({@code records > 0}) or leaving ({@code < 0}) a tail. */
    public void add(long records, long bytes) {
        this.records.addAndGet(records);
        this.bytes.addAndGet(bytes);
    }

    /** Returns the writes waiting to be indexed on this node. */
    public long records() {
        return records.get();
    }

    /** Returns the estimated heap those writes hold. */
    public long bytes() {
        return bytes.get();
    }

    /** Returns the bound in records. */
    public long maxRecords() {
        return maxRecords;
    }

    /** Returns the bound in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Returns whether the lag has reached its bound: writes to partitions this node owns must wait. */
    public boolean atBound() {
        return LagReport.atBound(records(), bytes(), maxRecords, maxBytes);
    }
}
