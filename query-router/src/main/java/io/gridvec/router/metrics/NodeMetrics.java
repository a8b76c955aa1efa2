package io.gridvec.router.metrics;

import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.search.RecallEstimator;
import io.gridvec.router.search.SearchRouter;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionNotFoundException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.registry.Readiness;
import io.gridvec.shard.registry.ShardRegistry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.jvm.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.affinity.Affinity;

/**
 * {@code GET /metrics}: this node's metrics in the Prometheus text format, from a Micrometer registry. Requests (count
 * and latency histogram per method, route and status, fed by the REST server's request logger), the result cache
 * (hits, misses, evictions, size), search fan-out (jobs, hedges, retries), shards (owned, ready) and index lag, per
 * collection its records and partition health, and the JVM and process. Values that need the cluster (shards,
 * collections) are read when the endpoint is scraped. Thread-safe; {@link #close()} stops the GC listener.
 */
public final class NodeMetrics implements RestRoutes, AutoCloseable {

    /** The Prometheus text format's content type. */
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The request latency histogram's buckets. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Ignite ignite;
    private final CollectionCatalog catalog;
    private final ShardRegistry shards;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final MultiGauge records;
    private final MultiGauge underReplicated;
    private final MultiGauge moving;
    private final MultiGauge lost;
    private final MultiGauge unsearchable;
    private final IgniteMetricsBridge igniteMetrics;
    private final RecallEstimator recallEstimator;
    private final MultiGauge recall;
    private final MultiGauge recallSamples;
    private volatile Readiness readiness;

    /**
     * Registers the node's meters: the result cache of {@code router}, the shards of {@code shards}, the recall
     * estimates of {@code recallEstimator}, the free and total space of the file system holding {@code dataDir}.
     */
    public NodeMetrics(Ignite ignite, CollectionCatalog catalog, ShardRegistry shards, SearchRouter router,
            RecallEstimator recallEstimator, Path dataDir) {
        this.ignite = ignite;
        this.catalog = catalog;
        this.shards = shards;
        // promtool's lint refuses these two names of ProcessorMetrics (a unit abbreviation, a _count suffix on a
        // gauge); the CPU usage and load average it also registers stay.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("system.cpu.count")
                || id.getName().equals("process.cpu.time")));
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new DiskSpaceMetrics(dataDir.toFile()).bindTo(registry);
        FunctionCounter.builder("gridvec.search.cache.hits", router, r -> r.resultCacheStats().hits())
                .description("Searches answered from this node's result cache").register(registry);
        FunctionCounter.builder("gridvec.search.cache.misses", router, r -> r.resultCacheStats().misses())
                .description("Searches the result cache could not answer").register(registry);
        FunctionCounter.builder("gridvec.search.cache.evictions", router, r -> r.resultCacheStats().evictions())
                .description("Answers dropped from the result cache to keep it within its bound").register(registry);
        Gauge.builder("gridvec.search.cache.size", router, r -> r.resultCacheStats().bytes()).baseUnit("bytes")
                .description("Estimated heap the result cache holds").register(registry);
        FunctionCounter.builder("gridvec.search.fanouts", router, r -> r.fanoutStats().fanouts())
                .description("Searches (or batches) this node sent to the owners of a collection's partitions")
                .register(registry);
        FunctionCounter.builder("gridvec.search.jobs", router, r -> r.fanoutStats().jobs())
                .description("Search jobs sent to nodes, this node included, hedges apart").register(registry);
        FunctionCounter.builder("gridvec.search.hedges", router, r -> r.fanoutStats().hedges())
                .description("Jobs sent to other owners because a node had not answered within the hedge delay")
                .register(registry);
        FunctionCounter.builder("gridvec.search.retries", router, r -> r.fanoutStats().retries())
                .description("Rounds that asked other owners for partitions that were moved or whose job failed")
                .register(registry);
        Gauge.builder("gridvec.shards.owned", this, m -> m.readiness == null ? 0 : m.readiness.ownedShards())
                .description("Partitions of every collection this node owns, primary or backup").register(registry);
        Gauge.builder("gridvec.shards.ready", this, m -> m.readiness == null ? 0 : m.readiness.readyShards())
                .description("Owned partitions whose shard is ready to search").register(registry);
        Gauge.builder("gridvec.shards.building", this, m -> m.readiness == null ? 0 : m.readiness.building().size())
                .description("Partitions this node owns or is receiving whose shard is not ready yet (building from "
                        + "a snapshot or the records, or waiting for rebalancing)").register(registry);
        for (String kind : List.of("builds", "snapshots", "events", "shards")) {
            FunctionCounter.builder("gridvec.shard.failures", this, m -> m.readiness == null ? 0
                            : m.readiness.failures().getOrDefault(kind, 0L))
                    .tags("kind", kind)
                    .description("Failures of this node's shards by kind: builds (retried), snapshot writes, "
                            + "write events not applied, and apply or compaction failures").register(registry);
        }
        Gauge.builder("gridvec.index.lag.records", this, m -> m.readiness == null ? 0 : m.readiness.lagRecords())
                .description("Writes this node has seen but not indexed yet").register(registry);
        Gauge.builder("gridvec.index.lag.size", this, m -> m.readiness == null ? 0 : m.readiness.lagBytes())
                .baseUnit("bytes").description("Estimated heap of the writes not indexed yet").register(registry);
        records = MultiGauge.builder("gridvec.collection.records")
                .description("Records per collection, cluster-wide (one copy each)").register(registry);
        underReplicated = MultiGauge.builder("gridvec.collection.partitions.underreplicated")
                .description("Partitions with fewer owners online than 1 + backups").register(registry);
        moving = MultiGauge.builder("gridvec.collection.partition.copies.moving")
                .description("Partition copies being moved by rebalancing, cluster-wide").register(registry);
        lost = MultiGauge.builder("gridvec.collection.partitions.lost")
                .description("Partitions Ignite declared lost (every owner left)").register(registry);
        unsearchable = MultiGauge.builder("gridvec.collection.unsearchable")
                .description("Values this node's shards of the collection kept out of the index since they were "
                        + "built: written outside Gridvec and not valid records (the log names each id)")
                .register(registry);
        igniteMetrics = new IgniteMetricsBridge(registry, shards::igniteMetrics);
        this.recallEstimator = recallEstimator;
        recall = MultiGauge.builder("gridvec.search.recall.estimate")
                .description("Recall@k of sampled searches against the same searches run exactly, per collection "
                        + "(mean of the last 200 samples; search.recallSampleRate)").register(registry);
        recallSamples = MultiGauge.builder("gridvec.search.recall.samples")
                .description("Searches sampled for the recall estimate so far, per collection").register(registry);
        FunctionCounter.builder("gridvec.search.recall.dropped", recallEstimator, RecallEstimator::dropped)
                .description("Recall samples dropped because one was running and the queue was full")
                .register(registry);
        FunctionCounter.builder("gridvec.search.recall.failed", recallEstimator, RecallEstimator::failed)
                .description("Recall samples whose exact search failed (a collection deleted, owners away)")
                .register(registry);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/metrics", ctx -> {
            refresh();
            ctx.contentType(CONTENT_TYPE).result(registry.scrape());
        }, Permission.READ);
    }

    /** Returns the registry behind {@code /metrics}, for meters registered elsewhere. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts a served request; for the REST server's request logger. */
    public void request(Context ctx, float millis) {
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        Timer.builder("gridvec.http.requests")
                .description("REST requests by method, route (the matched path pattern) and status")
                .tags("method", ctx.method().name(), "route", endpoint == null ? "unmatched" : endpoint.path,
                        "status", Integer.toString(ctx.statusCode()))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
    }

    /**
     * Reads what the gauges show from the cluster: shard readiness, and per collection its records and the health of
     * its partitions (owners online against 1 + backups, copies moving, partitions lost).
     */
    private void refresh() {
        readiness = shards.readiness();
        igniteMetrics.refresh();
        List<MultiGauge.Row<?>> recordRows = new ArrayList<>();
        List<MultiGauge.Row<?>> underRows = new ArrayList<>();
        List<MultiGauge.Row<?>> movingRows = new ArrayList<>();
        List<MultiGauge.Row<?>> lostRows = new ArrayList<>();
        List<MultiGauge.Row<?>> unsearchableRows = new ArrayList<>();
        Set<String> names = new HashSet<>();
        if (readiness.active()) {
            for (CollectionSpec spec : catalog.list()) {
                names.add(spec.name());
                IgniteCache<Object, Object> cache = ignite.cache(spec.cacheName());
                long count;
                try {
                    count = catalog.count(spec);
                } catch (CollectionNotFoundException e) {
                    continue; // deleted since the list was read: it has no rows this time
                }
                Tags tags = Tags.of("collection", spec.name());
                Affinity<Object> affinity = ignite.affinity(spec.cacheName());
                int under = 0;
                for (int p = 0; p < affinity.partitions(); p++) {
                    under += affinity.mapPartitionToPrimaryAndBackups(p).size() < 1 + spec.backups() ? 1 : 0;
                }
                recordRows.add(MultiGauge.Row.of(tags, count));
                underRows.add(MultiGauge.Row.of(tags, under));
                movingRows.add(MultiGauge.Row.of(tags, shards.movingCopies(spec.cacheName())));
                lostRows.add(MultiGauge.Row.of(tags, cache == null ? 0 : cache.lostPartitions().size()));
                unsearchableRows.add(MultiGauge.Row.of(tags, shards.unsearchable(spec.cacheName())));
            }
        }
        List<MultiGauge.Row<?>> recallRows = new ArrayList<>();
        List<MultiGauge.Row<?>> sampleRows = new ArrayList<>();
        recallEstimator.retain(names);
        recallEstimator.estimates().forEach((name, estimate) -> {
            Tags tags = Tags.of("collection", name);
            recallRows.add(MultiGauge.Row.of(tags, estimate.recall()));
            sampleRows.add(MultiGauge.Row.of(tags, estimate.samples()));
        });
        recall.register(recallRows, true);
        recallSamples.register(sampleRows, true);
        records.register(recordRows, true);
        underReplicated.register(underRows, true);
        moving.register(movingRows, true);
        lost.register(lostRows, true);
        unsearchable.register(unsearchableRows, true);
    }

    /** Stops listening to GC events. */
    @Override
    public void close() {
        gc.close();
    }
}
