package io.gridvec.shard.registry;

import java.util.List;
import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Asks a server node for the states of its shards, of one collection or (name null) of all. */
public final class ShardStatusJob implements IgniteCallable<List<ShardStatus>> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final String collection;

    /** Creates the job for the collection named {@code collection}, or every collection when null. */
    public ShardStatusJob(String collection) {
        this.collection = collection;
    }

    @Override
    public List<ShardStatus> call() {
        ShardRegistry registry = ShardRegistry.of(ignite);
        return registry == null ? List.of() : registry.statuses(collection);
    }
}
