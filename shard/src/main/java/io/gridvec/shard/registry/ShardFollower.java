package io.gridvec.shard.registry;

import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.lag.IndexLag;
import io.gridvec.shard.partition.Shard;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;

/**
 * Keeps this node's shards matching its partitions, one round at a time on the maintenance thread: every second, and
 * whenever the feed asks (requests coalesce, so a burst of events makes one round). A shard is built for each
 * partition the affinity assigns to this node once Ignite holds it in state OWNING (a MOVING partition is still being
 * filled by rebalancing, and its local scan would be refused); a shard whose partition moved away is dropped, and one
 * that failed to apply a change is dropped and built again. Deleted collections lose their shards and snapshots. The
 * first round of an active cluster also finishes collection creates and deletes that nodes which are gone left
 * halfway ({@link CollectionCatalog#finishInterrupted()}). Thread-safe.
 */
final class ShardFollower {

    private static final System.Logger LOG = System.getLogger(ShardFollower.class.getName());

    private final Map<String, CollectionShards> collections;
    private final ScheduledExecutorService maintenance;
    private final Executor drains;
    private final Executor compactions;
    private final ShardBuilder builder;
    private final SnapshotSchedule snapshots;
    private final PartitionStates states;
    private final IndexLag lag;
    private final AtomicBoolean requested = new AtomicBoolean();
    private volatile Ignite ignite;
    private volatile boolean closed;
    /**
     * Whether the first round of an active cluster has run its once-per-start work: finishing collection creates and
     * deletes interrupted by nodes that are gone, and removing snapshots of collections deleted while this node was
     * down.
     */
    private boolean startupDone;

    ShardFollower(Map<String, CollectionShards> collections, ScheduledExecutorService maintenance, Executor drains,
            Executor compactions, ShardBuilder builder, SnapshotSchedule snapshots, PartitionStates states,
            IndexLag lag) {
        this.collections = collections;
        this.maintenance = maintenance;
        this.drains = drains;
        this.compactions = compactions;
        this.builder = builder;
        this.snapshots = snapshots;
        this.states = states;
        this.lag = lag;
    }

    void start(Ignite ignite) {
        this.ignite = ignite;
        maintenance.scheduleWithFixedDelay(this::round, 0, 1, TimeUnit.SECONDS);
    }

    /** Asks for a round soon; requests made while one is pending are merged into it. */
    void request() {
        if (!closed && requested.compareAndSet(false, true)) {
            try {
                maintenance.execute(() -> {
                    requested.set(false);
                    round();
                });
            } catch (RejectedExecutionException e) {
                // Closed meanwhile: nothing left to follow.
            }
        }
    }

    void close() {
        closed = true;
    }

    private void round() {
        try {
            Ignite node = ignite;
            if (closed || node == null || !node.cluster().state().active()) {
                return;
            }
            CollectionCatalog catalog = new CollectionCatalog(node);
            if (!startupDone) {
                // A node that crashed midway through a create or delete left its entry behind; the next create or
                // delete of that name would finish it too, but its cache should not wait that long.
                catalog.finishInterrupted();
            }
            Map<String, CollectionSpec> specs = new HashMap<>();
            for (CollectionSpec spec : catalog.list()) {
                specs.put(spec.cacheName(), spec);
            }
            collections.entrySet().removeIf(entry -> {
                boolean deleted = !entry.getValue().spec().equals(specs.get(entry.getKey()));
                boolean gone = deleted || node.cache(entry.getKey()) == null;
                if (gone) {
                    entry.getValue().dropAll();
                }
                if (deleted) {
                    snapshots.delete(entry.getValue().spec());
                }
                return gone;
            });
            if (!startupDone) {
                // Only collections deleted while this node was down leave orphans; later deletes clean up above.
                snapshots.deleteOrphans(specs.values());
                startupDone = true;
            }
            ClusterNode local = node.cluster().localNode();
            for (CollectionSpec spec : specs.values()) {
                if (node.cache(spec.cacheName()) != null) {
                    follow(node, local, spec);
                }
            }
        } catch (RuntimeException e) {
            // The maintenance thread's boundary: log, and the next round (at most a second away) tries again.
            LOG.log(System.Logger.Level.WARNING, "shard reconciliation failed; retrying", e);
        }
    }

    private void follow(Ignite node, ClusterNode local, CollectionSpec spec) {
        CollectionShards collection = collections.computeIfAbsent(spec.cacheName(), name -> new CollectionShards(spec));
        Set<Integer> assigned = Arrays.stream(node.affinity(spec.cacheName()).allPartitions(local)).boxed()
                .collect(Collectors.toSet());
        Set<Integer> owning = states.owning(spec.cacheName(), local.id());
        for (int partition : assigned) {
            Shard shard = collection.shards().get(partition);
            if (shard != null && shard.needsRebuild()) {
                collection.drop(partition, shard);
                shard = null;
            }
            if (shard == null && owning.contains(partition) && builder.due(spec, partition)) {
                Shard fresh = new Shard(spec, partition, drains, compactions, lag);
                // Registered before its scan starts, so a write lands in the scan, the tail, or both.
                if (collection.shards().putIfAbsent(partition, fresh) == null) {
                    builder.submit(node, collection, fresh);
                }
            }
        }
        collection.shards().forEach((partition, shard) -> {
            if (!assigned.contains(partition)) {
                collection.drop(partition, shard);
            }
        });
    }
}
