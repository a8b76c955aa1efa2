package io.gridvec.shard.registry;

import io.gridvec.shard.partition.Shard;
import java.io.Serializable;

/**
 * The state of one shard on one node, as {@code GET /v1/cluster} and {@code GET /v1/collections/{name}} report it.
 * Immutable.
 */
public final class ShardStatus implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The collection name. */
    public final String collection;
    /** The partition. */
    public final int partition;
    /** The consistent id of the node holding the shard. */
    public final String node;
    /** {@code BUILDING} or {@code READY}. */
    public final String state;
    /** Records in the shard's index. */
    public final int records;
    /** Writes seen but not yet indexed (searched exactly meanwhile): the shard's index lag. */
    public final int pending;
    /** The estimated heap those writes hold, in bytes. */
    public final long pendingBytes;
    /** Replaced or deleted vectors still in the index; compaction removes them. */
    public final int tombstones;
    /** {@code snapshot} when the shard was restored from its snapshot (and reconciled), {@code scan} when built. */
    public final String builtFrom;
    /** Changes that failed to apply and compactions that failed. */
    public final long failures;
    /** Stored values that cannot be searched (written outside Gridvec with another shape). */
    public final long unsearchable;

    ShardStatus(String collection, String node, Shard shard) {
        this.collection = collection;
        this.partition = shard.partition();
        this.node = node;
        this.state = shard.state().name();
        this.records = shard.size();
        this.pending = shard.pendingCount();
        this.pendingBytes = shard.pendingBytes();
        this.tombstones = shard.tombstones();
        this.builtFrom = shard.builtFrom();
        this.failures = shard.failures();
        this.unsearchable = shard.unsearchable();
    }
}
