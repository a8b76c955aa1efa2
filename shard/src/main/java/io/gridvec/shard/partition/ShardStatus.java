package io.gridvec.shard.partition;

import java.io.Serializable;

/**
 * The state of one shard on one node, as {@code GET /v1/cluster} reports it: collection, partition, node, state
 * ({@code BUILDING} or {@code READY}), indexed records, writes not yet indexed, and tombstones. Immutable.
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
    /** Writes seen but not yet indexed (searched exactly meanwhile). */
    public final int pending;
    /** Replaced or deleted vectors still in the index; compaction removes them. */
    public final int tombstones;
    /** {@code snapshot} when the shard was restored from its snapshot (and reconciled), {@code scan} when built. */
    public final String builtFrom;

    ShardStatus(String collection, int partition, String node, String state, int records, int pending,
            int tombstones, String builtFrom) {
        this.collection = collection;
        this.partition = partition;
        this.node = node;
        this.state = state;
        this.records = records;
        this.pending = pending;
        this.tombstones = tombstones;
        this.builtFrom = builtFrom;
    }
}
