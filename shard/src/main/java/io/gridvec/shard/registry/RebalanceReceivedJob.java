package io.gridvec.shard.registry;

import java.util.List;
import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Asks a server node what it has received by rebalancing, per collection it keeps shards of. */
public final class RebalanceReceivedJob implements IgniteCallable<List<RebalanceReceived>> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    @Override
    public List<RebalanceReceived> call() {
        ShardRegistry registry = ShardRegistry.of(ignite);
        return registry == null ? List.of() : registry.rebalanceReceived();
    }
}
