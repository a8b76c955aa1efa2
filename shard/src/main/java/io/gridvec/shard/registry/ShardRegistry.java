package io.gridvec.shard.registry;

import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.lag.IndexLag;
import io.gridvec.shard.partition.Shard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.metric.MetricExporterSpi;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;
import org.apache.ignite.spi.metric.jmx.JmxMetricExporterSpi;

/**
 * The shards of one server node: one {@link Shard} per (collection, partition) this node owns, primary or backup.
 * The jobs are split: {@link ShardFeed} takes Ignite's events, {@link ShardFollower} follows ownership,
 * {@link ShardBuilder} builds, {@link SnapshotSchedule} writes snapshots; this class owns their threads and answers
 * what the rest of the node asks: a collection's ready shards (searches), readiness and shard states. Thread-safe;
 * {@link #close()} stops it.
 */
public final class ShardRegistry implements AutoCloseable {

    private static final String NODE_LOCAL_KEY = ShardRegistry.class.getName();

    private final Map<String, CollectionShards> collections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gridvec-shards").daemon().factory());
    private final ExecutorService builds = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("gridvec-shard-build-", 0)
                    .daemon().factory());
    private final ExecutorService drains = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("gridvec-shard-apply-", 0)
                    .daemon().factory());
    private final IndexLag lag;
    private final PartitionStates states = new PartitionStates();
    private final SnapshotSchedule snapshots;
    private final ShardBuilder builder;
    private final ShardFollower follower;
    private final ShardFeed feed;
    private volatile Ignite ignite;
    private volatile boolean closed;

    /**
     * Creates a registry that keeps shard snapshots under {@code snapshots} (one directory per collection) and
     * counts the writes waiting in its shards' tails in {@code lag}.
     */
    public ShardRegistry(Path snapshots, IndexLag lag) {
        this.lag = lag;
        this.snapshots = new SnapshotSchedule(snapshots, collections, builds);
        this.builder = new ShardBuilder(builds, snapshots, () -> closed);
        this.follower = new ShardFollower(collections, maintenance, drains, builds, builder, this.snapshots, states,
                lag);
        this.feed = new ShardFeed(collections, follower);
    }

    /** Adds what shards need to a node's configuration before the node starts: the events and a metrics reader. */
    public void configure(IgniteConfiguration configuration) {
        feed.configure(configuration);
        MetricExporterSpi[] exporters = configuration.getMetricExporterSpi();
        // Ignite exports its metrics over JMX when no exporter is configured; adding ours must not change that.
        List<MetricExporterSpi> all = new ArrayList<>(exporters == null || exporters.length == 0
                ? List.of(new JmxMetricExporterSpi()) : List.of(exporters));
        all.add(states);
        configuration.setMetricExporterSpi(all.toArray(MetricExporterSpi[]::new));
    }

    /** Starts following ownership on {@code ignite}, the node this registry was configured into. */
    public void start(Ignite ignite) {
        this.ignite = ignite;
        ignite.cluster().nodeLocalMap().put(NODE_LOCAL_KEY, this);
        follower.start(ignite);
        snapshots.start(maintenance);
    }

    /**
     * Returns the registry of a node, or null while the node is still starting (Ignite can run jobs before
     * {@link #start} registers it).
     */
    public static ShardRegistry of(Ignite ignite) {
        return (ShardRegistry) ignite.cluster().nodeLocalMap().get(NODE_LOCAL_KEY);
    }

    /** Returns the spec of a collection this node keeps shards of, or null. */
    public CollectionSpec spec(String cacheName) {
        CollectionShards collection = collections.get(cacheName);
        return collection == null ? null : collection.spec();
    }

    /** Returns the shard of a partition when it is ready for searches, else null. */
    public Shard readyShard(String cacheName, int partition) {
        CollectionShards collection = collections.get(cacheName);
        Shard shard = collection == null ? null : collection.shards().get(partition);
        return shard != null && shard.state() == Shard.State.READY ? shard : null;
    }

    /**
     * Returns this node's readiness: how many of the partitions it owns (over every collection) have a ready shard,
     * the {@code collection/partition} names of those that do not yet (and of partitions still being moved here by
     * rebalancing, which it will own), its index lag, and its failure counts. An inactive cluster owns nothing.
     */
    public Readiness readiness() {
        Ignite node = ignite;
        Map<String, Long> failures = failures();
        if (closed || node == null || !node.cluster().state().active()) {
            return new Readiness(false, 0, 0, List.of(), lag, failures);
        }
        ClusterNode local = node.cluster().localNode();
        int owned = 0;
        int ready = 0;
        List<String> building = new ArrayList<>();
        for (CollectionSpec spec : new CollectionCatalog(node).list()) {
            if (node.cache(spec.cacheName()) == null) {
                building.add(spec.name() + "/*"); // its cache is not started here yet
                continue;
            }
            for (int partition : node.affinity(spec.cacheName()).allPartitions(local)) {
                owned++;
                if (readyShard(spec.cacheName(), partition) == null) {
                    building.add(spec.name() + "/" + partition);
                } else {
                    ready++;
                }
            }
            states.moving(spec.cacheName(), local.id()).stream().sorted()
                    .forEach(partition -> building.add(spec.name() + "/" + partition + " (moving here)"));
        }
        return new Readiness(true, ready, owned, building, lag, failures);
    }

    /**
     * Returns Ignite's metric registries of this node, read through the exporter this registry configured (Ignite's
     * public API has no other way); {@code /metrics} bridges some of them.
     */
    public Iterable<ReadOnlyMetricRegistry> igniteMetrics() {
        return states.registries();
    }

    /**
     * Returns how many values this node's shards of a collection kept out of the index since they were built: values
     * written outside Gridvec that are not valid records (the log names each).
     */
    public long unsearchable(String cacheName) {
        CollectionShards collection = collections.get(cacheName);
        return collection == null ? 0 : collection.shards().values().stream().mapToLong(Shard::unsearchable).sum();
    }

    /** Returns how many partition copies of a collection's cache are being moved by rebalancing, cluster-wide. */
    public int movingCopies(String cacheName) {
        return states.moving(cacheName);
    }

    /** Returns, per collection this node keeps shards of, what it has received by rebalancing. */
    List<RebalanceReceived> rebalanceReceived() {
        String local = String.valueOf(ignite.cluster().localNode().consistentId());
        return collections.keySet().stream().sorted().map(cacheName -> new RebalanceReceived(local, cacheName,
                states.value(cacheName, "RebalancingReceivedKeys"),
                states.value(cacheName, "RebalancingReceivedBytes"))).toList();
    }

    private Map<String, Long> failures() {
        Map<String, Long> failures = new LinkedHashMap<>();
        failures.put("builds", builder.failures());
        failures.put("snapshots", snapshots.failures());
        failures.put("events", feed.failures());
        failures.put("shards", collections.values().stream().flatMap(c -> c.shards().values().stream())
                .mapToLong(Shard::failures).sum());
        return failures;
    }

    List<ShardStatus> statuses(String collectionName) {
        String local = String.valueOf(ignite.cluster().localNode().consistentId());
        List<ShardStatus> statuses = new ArrayList<>();
        collections.values().stream()
                .filter(collection -> collectionName == null || collection.spec().name().equals(collectionName))
                .forEach(collection -> collection.shards().values().forEach(shard -> statuses.add(
                        new ShardStatus(collection.spec().name(), local, shard))));
        statuses.sort(Comparator.comparing((ShardStatus status) -> status.collection)
                .thenComparingInt(status -> status.partition));
        return statuses;
    }

    /**
     * Stops following ownership: lets running builds and drains finish, writes the snapshot of every ready shard
     * with changes, and drops every shard; searches on this node then answer "moved".
     */
    @Override
    public void close() {
        closed = true;
        feed.close();
        follower.close();
        maintenance.shutdownNow();
        builds.shutdown();
        drains.shutdown();
        try {
            builds.awaitTermination(30, TimeUnit.SECONDS);
            if (!drains.awaitTermination(30, TimeUnit.SECONDS)) {
                // A drain still running would hold its shard's index, and the shard's final snapshot would be
                // skipped: drains end after their current record instead (the rest of a tail is in the partitions).
                collections.values().forEach(collection -> collection.shards().values()
                        .forEach(Shard::stopDraining));
                drains.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        snapshots.writeAll();
        collections.values().forEach(CollectionShards::dropAll);
        collections.clear();
        // The registry stays in the node-local map: jobs that reach a stopping node find no shards and answer
        // every partition as moved, so routers retry them elsewhere.
    }
}
