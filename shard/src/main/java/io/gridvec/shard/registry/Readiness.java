package io.gridvec.shard.registry;

import io.gridvec.shard.lag.IndexLag;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's readiness: ready when the cluster is active, every partition it owns has a ready shard, and its index
 * lag is under its bound (caught up). Also carries the lag and the node's failure counts by kind. Immutable.
 *
 * @param active whether the cluster is active
 * @param readyShards owned partitions with a ready shard
 * @param ownedShards partitions this node owns, over every collection
 * @param building the {@code collection/partition} names of owned partitions without a ready shard, and of
 *     partitions rebalancing is still moving to this node
 * @param lagRecords writes waiting to be indexed on this node
 * @param lagBytes their estimated heap
 * @param lagAtBound whether the lag has reached its bound (writes to this node's partitions wait or get 429)
 * @param failures failures by kind: builds, snapshots, events, shards (apply and compaction)
 */
public record Readiness(boolean active, int readyShards, int ownedShards, List<String> building, long lagRecords,
        long lagBytes, boolean lagAtBound, Map<String, Long> failures) {

    Readiness(boolean active, int readyShards, int ownedShards, List<String> building, IndexLag lag,
            Map<String, Long> failures) {
        this(active, readyShards, ownedShards, List.copyOf(building), lag.records(), lag.bytes(), lag.atBound(),
                Collections.unmodifiableMap(new LinkedHashMap<>(failures)));
    }

    /** Returns whether the node can answer for every partition it owns and is caught up with its writes. */
    public boolean ready() {
        return active && building.isEmpty() && !lagAtBound;
    }
}
