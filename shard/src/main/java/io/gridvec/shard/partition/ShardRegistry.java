package io.gridvec.shard.partition;

import static org.apache.ignite.events.EventType.EVT_CACHE_OBJECT_PUT;
import static org.apache.ignite.events.EventType.EVT_CACHE_OBJECT_REMOVED;
import static org.apache.ignite.events.EventType.EVT_CACHE_REBALANCE_PART_LOADED;
import static org.apache.ignite.events.EventType.EVT_CACHE_REBALANCE_PART_UNLOADED;
import static org.apache.ignite.events.EventType.EVT_CACHE_STARTED;
import static org.apache.ignite.events.EventType.EVT_CACHE_STOPPED;
import static org.apache.ignite.events.EventType.EVT_NODE_FAILED;
import static org.apache.ignite.events.EventType.EVT_NODE_JOINED;
import static org.apache.ignite.events.EventType.EVT_NODE_LEFT;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.index.vector.Metric;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.PayloadFilter;
import io.gridvec.shard.record.RecordValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.events.CacheEvent;
import org.apache.ignite.events.CacheRebalancingEvent;
import org.apache.ignite.events.Event;
import org.apache.ignite.lang.IgnitePredicate;

/**
 * The shards of one server node: one {@link Shard} per (collection, partition) this node owns, primary or backup.
 *
 * <p>Shards follow ownership: a maintenance thread compares them with the node's affinity assignment every second
 * and on every topology, cache or rebalance event, builds a shard from a local scan of its partition when the node
 * becomes an owner, and drops it when ownership moves away (or the partition is reloaded, then builds it again).
 * Writes reach shards through Ignite's {@code EVT_CACHE_OBJECT_PUT/REMOVED} events, which fire on primaries and
 * backups alike; the listener only enqueues them (see {@link Shard}). The listener is registered in the node's
 * configuration, so nothing before start-up is missed, and the scan covers everything written before a shard
 * existed. Thread-safe; {@link #close()} stops it.
 */
public final class ShardRegistry implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ShardRegistry.class.getName());
    private static final String NODE_LOCAL_KEY = ShardRegistry.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a shard with changes writes its snapshot (and always at a graceful stop). */
    static final long SNAPSHOT_INTERVAL_S = 60;
    private static final int[] EVENTS = {EVT_CACHE_OBJECT_PUT, EVT_CACHE_OBJECT_REMOVED,
        EVT_CACHE_REBALANCE_PART_LOADED, EVT_CACHE_REBALANCE_PART_UNLOADED, EVT_CACHE_STARTED, EVT_CACHE_STOPPED,
        EVT_NODE_JOINED, EVT_NODE_LEFT, EVT_NODE_FAILED};

    /** The shards of one collection on this node, by partition. */
    private record Collection(CollectionSpec spec, Map<Integer, Shard> shards) {}

    private final Map<String, Collection> collections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gridvec-shards").daemon().factory());
    private final ExecutorService builds = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("gridvec-shard-build-", 0)
                    .daemon().factory());
    private final ExecutorService drains = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("gridvec-shard-apply-", 0)
                    .daemon().factory());
    private final Path snapshots;
    private volatile Ignite ignite;
    private volatile boolean closed;
    /** Whether the first reconciliation has removed snapshots of collections that no longer exist. */
    private boolean orphansRemoved;

    /** Creates a registry that keeps shard snapshots under {@code snapshots} (one directory per collection). */
    public ShardRegistry(Path snapshots) {
        this.snapshots = snapshots;
    }

    /** Adds the events shards need, and their listener, to a node's configuration before the node starts. */
    public void configure(IgniteConfiguration configuration) {
        int[] included = configuration.getIncludeEventTypes();
        int[] all = included == null ? EVENTS : IntStream.concat(Arrays.stream(included), Arrays.stream(EVENTS))
                .distinct().toArray();
        IgnitePredicate<Event> listener = this::onEvent;
        configuration.setIncludeEventTypes(all);
        configuration.setLocalEventListeners(Map.of(listener, EVENTS));
    }

    /** Starts following ownership on {@code ignite}, the node this registry was configured into. */
    public void start(Ignite ignite) {
        this.ignite = ignite;
        ignite.cluster().nodeLocalMap().put(NODE_LOCAL_KEY, this);
        maintenance.scheduleWithFixedDelay(this::reconcile, 0, 1, TimeUnit.SECONDS);
        maintenance.scheduleWithFixedDelay(this::snapshotChanged, SNAPSHOT_INTERVAL_S, SNAPSHOT_INTERVAL_S,
                TimeUnit.SECONDS);
    }

    /**
     * Returns the registry of a node, or null while the node is still starting (Ignite can run jobs before
     * {@link #start} registers it).
     */
    static ShardRegistry of(Ignite ignite) {
        return (ShardRegistry) ignite.cluster().nodeLocalMap().get(NODE_LOCAL_KEY);
    }

    // ---- events (Ignite's threads; some inside its entry locks, so only cheap work here)

    private boolean onEvent(Event event) {
        if (closed) {
            return true;
        }
        switch (event.type()) {
            case EVT_CACHE_OBJECT_PUT, EVT_CACHE_OBJECT_REMOVED -> onWrite((CacheEvent) event);
            case EVT_CACHE_REBALANCE_PART_LOADED, EVT_CACHE_REBALANCE_PART_UNLOADED -> {
                CacheRebalancingEvent rebalance = (CacheRebalancingEvent) event;
                // Loaded: the partition was (re)filled by rebalancing, so a shard built before is stale.
                Collection collection = collections.get(rebalance.cacheName());
                Shard shard = collection == null ? null : collection.shards().remove(rebalance.partition());
                if (shard != null) {
                    shard.drop();
                }
                triggerReconcile();
            }
            case EVT_CACHE_STOPPED -> {
                // Dropped here, not on the next round: a collection deleted and created again with the same spec
                // must not keep the old collection's shards.
                if (event instanceof CacheEvent stopped) {
                    Collection collection = collections.remove(stopped.cacheName());
                    if (collection != null) {
                        collection.shards().values().forEach(Shard::drop);
                    }
                }
                triggerReconcile();
            }
            default -> triggerReconcile();
        }
        return true;
    }

    private void onWrite(CacheEvent event) {
        Collection collection = collections.get(event.cacheName());
        Shard shard = collection == null ? null : collection.shards().get(event.partition());
        if (shard == null || !(event.key() instanceof String id)) {
            return; // no shard yet: the scan that builds it will read this write
        }
        Change change = event.type() == EVT_CACHE_OBJECT_PUT && event.newValue() instanceof BinaryObject value
                ? Change.of(value) : Change.deletion();
        shard.enqueue(id, change);
    }

    private void triggerReconcile() {
        try {
            maintenance.execute(this::reconcile);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: nothing left to reconcile.
        }
    }

    // ---- ownership

    /** Makes this node's shards match its partitions: one thread, so never two at once. */
    private void reconcile() {
        try {
            Ignite node = ignite;
            if (closed || node == null || !node.cluster().state().active()) {
                return;
            }
            Map<String, CollectionSpec> specs = new HashMap<>();
            for (CollectionSpec spec : new CollectionCatalog(node).list()) {
                specs.put(spec.cacheName(), spec);
            }
            collections.entrySet().removeIf(entry -> {
                boolean deleted = !entry.getValue().spec().equals(specs.get(entry.getKey()));
                boolean gone = deleted || node.cache(entry.getKey()) == null;
                if (gone) {
                    entry.getValue().shards().values().forEach(Shard::drop);
                }
                if (deleted) {
                    // A snapshot left behind would still be harmless: a build reconciles it with the partition.
                    deleteSnapshots(entry.getValue().spec());
                }
                return gone;
            });
            if (!orphansRemoved) {
                // Only collections deleted while this node was down leave orphans; later deletes clean up above.
                deleteOrphanSnapshots(specs);
                orphansRemoved = true;
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
        Collection collection = collections.computeIfAbsent(spec.cacheName(),
                name -> new Collection(spec, new ConcurrentHashMap<>()));
        Set<Integer> owned = Arrays.stream(node.affinity(spec.cacheName()).allPartitions(local)).boxed()
                .collect(Collectors.toSet());
        for (int partition : owned) {
            if (!collection.shards().containsKey(partition)) {
                Shard shard = new Shard(spec, partition, drains, builds);
                collection.shards().put(partition, shard);
                builds.execute(() -> build(node, collection, shard));
            }
        }
        collection.shards().entrySet().removeIf(entry -> {
            boolean moved = !owned.contains(entry.getKey());
            if (moved) {
                entry.getValue().drop();
            }
            return moved;
        });
    }

    private void build(Ignite node, Collection collection, Shard shard) {
        if (closed) {
            return; // queued before the stop; the shard goes away with the node
        }
        long started = System.nanoTime();
        try {
            String source = restore(collection.spec(), shard);
            IgniteCache<String, BinaryObject> cache = node.<String, BinaryObject>cache(
                    collection.spec().cacheName()).withKeepBinary();
            ScanQuery<String, BinaryObject> scan = new ScanQuery<String, BinaryObject>(shard.partition).setLocal(true);
            try (QueryCursor<Cache.Entry<String, BinaryObject>> cursor = cache.query(scan)) {
                for (Cache.Entry<String, BinaryObject> entry : cursor) {
                    if (closed || shard.state() == Shard.State.DROPPED) {
                        return;
                    }
                    shard.load(entry.getKey(), Change.of(entry.getValue()));
                }
            }
            shard.ready();
            // One line per shard that holds records, saying what it was built from and why (an empty new shard
            // of a fresh collection is not worth a line).
            LOG.log(shard.size() > 0 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, () -> "shard "
                    + collection.spec().name() + "/" + shard.partition + " ready from " + source + " with "
                    + shard.size() + " records in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        } catch (RuntimeException e) {
            // A build thread's boundary: forget the shard; the next reconciliation builds it again.
            LOG.log(System.Logger.Level.WARNING, "building shard " + collection.spec().name() + "/"
                    + shard.partition + " failed; it will be rebuilt", e);
            collection.shards().remove(shard.partition, shard);
            shard.drop();
        }
    }

    // ---- snapshots

    /** Loads the shard's snapshot when a usable one exists; returns what the build starts from, for the log. */
    private String restore(CollectionSpec spec, Shard shard) {
        Path dir = snapshots.resolve(spec.name());
        try {
            ShardSnapshot.Loaded loaded = ShardSnapshot.read(dir, shard.partition, spec);
            if (loaded == null) {
                return "a partition scan (no snapshot)";
            }
            shard.restore(loaded);
            return "its snapshot (" + loaded.versions().size() + " records) reconciled with a partition scan";
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "shard " + spec.name() + "/" + shard.partition
                    + ": snapshot unusable, rebuilding from the partition: " + e.getMessage());
            return "a partition scan (snapshot unusable)";
        }
    }

    private void snapshotChanged() {
        for (Collection collection : collections.values()) {
            for (Shard shard : collection.shards().values()) {
                try {
                    builds.execute(() -> snapshot(collection.spec(), shard));
                } catch (RejectedExecutionException e) {
                    return; // closing: close() writes the final snapshots itself
                }
            }
        }
    }

    private void snapshot(CollectionSpec spec, Shard shard) {
        try {
            shard.snapshot(snapshots.resolve(spec.name()));
        } catch (IOException e) {
            // The shard keeps working from memory; the next round tries again, a restart rebuilds if it must.
            LOG.log(System.Logger.Level.WARNING, "shard " + spec.name() + "/" + shard.partition
                    + ": writing its snapshot failed", e);
        }
    }

    /** Removes the snapshots of collections deleted while this node was down. */
    private void deleteOrphanSnapshots(Map<String, CollectionSpec> specs) {
        if (!Files.isDirectory(snapshots)) {
            return;
        }
        Set<String> names = specs.values().stream().map(CollectionSpec::name).collect(Collectors.toSet());
        try (Stream<Path> dirs = Files.list(snapshots)) {
            for (Path dir : dirs.filter(dir -> !names.contains(dir.getFileName().toString())).toList()) {
                ShardSnapshot.deleteAll(dir);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshots of deleted collections could not be removed from "
                    + snapshots, e);
        }
    }

    private void deleteSnapshots(CollectionSpec spec) {
        try {
            ShardSnapshot.deleteAll(snapshots.resolve(spec.name()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshots of deleted collection " + spec.name()
                    + " could not be removed from " + snapshots, e);
        }
    }

    // ---- reads

    NodeSearchResult search(String cacheName, int[] partitions, SearchQuery[] queries) {
        Collection collection = collections.get(cacheName);
        Ignite node = ignite;
        List<Shard> ready = new ArrayList<>();
        List<Integer> moved = new ArrayList<>();
        Set<Integer> owned = collection == null || node.cache(cacheName) == null ? Set.of()
                : Arrays.stream(node.affinity(cacheName).allPartitions(node.cluster().localNode())).boxed()
                        .collect(Collectors.toSet());
        for (int partition : partitions) {
            Shard shard = collection == null ? null : collection.shards().get(partition);
            if (shard != null && shard.state() == Shard.State.READY && owned.contains(partition)) {
                ready.add(shard);
            } else {
                moved.add(partition);
            }
        }
        SearchHit[][] hits = new SearchHit[queries.length][];
        if (!ready.isEmpty()) {
            PayloadFilter[] filters = new PayloadFilter[queries.length];
            for (int q = 0; q < queries.length; q++) {
                filters[q] = filter(queries[q].filter());
            }
            List<List<Shard.Hit>> perPair = IntStream.range(0, queries.length * ready.size()).parallel()
                    .mapToObj(i -> {
                        SearchQuery query = queries[i / ready.size()];
                        return ready.get(i % ready.size()).search(query.vector(), query.k(), query.ef(),
                                filters[i / ready.size()], query.exact());
                    })
                    .toList();
            Metric metric = Metric.parse(collection.spec().metric());
            Comparator<Shard.Hit> best = Comparator.comparingDouble(hit -> metric.distance(hit.score()));
            IgniteCache<String, BinaryObject> cache = node.<String, BinaryObject>cache(cacheName).withKeepBinary();
            for (int q = 0; q < queries.length; q++) {
                List<Shard.Hit> merged = new ArrayList<>();
                for (int s = 0; s < ready.size(); s++) {
                    merged.addAll(perPair.get(q * ready.size() + s));
                }
                merged.sort(best);
                hits[q] = attach(cache, merged.subList(0, Math.min(queries[q].k(), merged.size())), queries[q]);
            }
        } else {
            Arrays.fill(hits, new SearchHit[0]);
        }
        int[] searched = ready.stream().mapToInt(shard -> shard.partition).toArray();
        return new NodeSearchResult(searched, moved.stream().mapToInt(Integer::intValue).toArray(), hits);
    }

    private static SearchHit[] attach(IgniteCache<String, BinaryObject> cache, List<Shard.Hit> hits, SearchQuery query) {
        SearchHit[] out = new SearchHit[hits.size()];
        for (int i = 0; i < out.length; i++) {
            Shard.Hit hit = hits.get(i);
            BinaryObject value = query.includePayload() || query.includeVector()
                    ? cache.localPeek(hit.id(), CachePeekMode.PRIMARY, CachePeekMode.BACKUP) : null;
            out[i] = new SearchHit(hit.id(), hit.score(),
                    value != null && query.includePayload() ? RecordValue.payload(value) : null,
                    value != null && query.includeVector() ? RecordValue.vector(value) : null);
        }
        return out;
    }

    private static PayloadFilter filter(String json) {
        if (json == null) {
            return null;
        }
        try {
            return PayloadFilter.parse(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a router sent a filter that is not JSON", e);
        }
    }

    /**
     * Returns this node's readiness: how many of the partitions it owns (over every collection) have a ready shard,
     * and the {@code collection/partition} names of those that do not yet. An inactive cluster owns nothing.
     */
    public Readiness readiness() {
        Ignite node = ignite;
        if (closed || node == null || !node.cluster().state().active()) {
            return new Readiness(false, 0, 0, List.of());
        }
        ClusterNode local = node.cluster().localNode();
        int owned = 0;
        List<String> building = new ArrayList<>();
        for (CollectionSpec spec : new CollectionCatalog(node).list()) {
            if (node.cache(spec.cacheName()) == null) {
                building.add(spec.name() + "/*"); // its cache is not started here yet
                continue;
            }
            Collection collection = collections.get(spec.cacheName());
            for (int partition : node.affinity(spec.cacheName()).allPartitions(local)) {
                owned++;
                Shard shard = collection == null ? null : collection.shards().get(partition);
                if (shard == null || shard.state() != Shard.State.READY) {
                    building.add(spec.name() + "/" + partition);
                }
            }
        }
        return new Readiness(true, owned - building.size(), owned, building);
    }

    /** A node's readiness: ready when the cluster is active and every owned partition has a ready shard. */
    public record Readiness(boolean active, int readyShards, int ownedShards, List<String> building) {

        /** Returns whether the node can answer for every partition it owns. */
        public boolean ready() {
            return active && building.isEmpty();
        }
    }

    List<ShardStatus> statuses(String collectionName) {
        String local = String.valueOf(ignite.cluster().localNode().consistentId());
        List<ShardStatus> statuses = new ArrayList<>();
        collections.values().stream()
                .filter(collection -> collectionName == null || collection.spec().name().equals(collectionName))
                .forEach(collection -> collection.shards().values().forEach(shard -> statuses.add(new ShardStatus(
                        collection.spec().name(), shard.partition, local, shard.state().name(), shard.size(),
                        shard.pendingCount(), shard.tombstones(), shard.builtFrom()))));
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
        maintenance.shutdownNow();
        builds.shutdown();
        drains.shutdown();
        try {
            builds.awaitTermination(30, TimeUnit.SECONDS);
            drains.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Collection collection : collections.values()) {
            collection.shards().values().forEach(shard -> snapshot(collection.spec(), shard));
            collection.shards().values().forEach(Shard::drop);
        }
        collections.clear();
        // The registry stays in the node-local map: jobs that reach a stopping node find no shards and answer
        // every partition as moved, so routers retry them elsewhere.
    }
}
