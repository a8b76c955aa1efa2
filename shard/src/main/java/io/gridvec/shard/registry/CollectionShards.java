package io.gridvec.shard.registry;

import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.partition.Shard;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The shards of one collection on this node, by partition. Thread-safe. */
record CollectionShards(CollectionSpec spec, ConcurrentMap<Integer, Shard> shards) {

    CollectionShards(CollectionSpec spec) {
        this(spec, new ConcurrentHashMap<>());
    }

    /** Removes and drops the shard of {@code partition}, if it is still {@code shard}. */
    void drop(int partition, Shard shard) {
        if (shards.remove(partition, shard)) {
            shard.drop();
        }
    }

    /** Removes and drops every shard. */
    void dropAll() {
        shards.forEach(this::drop);
    }
}
