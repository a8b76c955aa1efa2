package io.gridvec.shard.partition;

import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.index.hnsw.OrdinalFilter;
import io.gridvec.index.hnsw.SearchResults;
import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorKernels;
import io.gridvec.index.vector.Vectorization;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.PayloadFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The search structure of one partition of one collection on one owner: an HNSW index of the records it has
 * applied, plus the tail of writes it has seen but not yet applied ({@link #pending}, newest per id). A search reads
 * both: graph hits whose id has a pending write are dropped and the pending writes are scored exactly, so every
 * acknowledged write is visible to the next search. Writes reach {@link #enqueue} from Ignite's update path in the
 * order of the key's updates; {@link #drain} applies them on another thread, one drain at a time. Thread-safe.
 */
final class Shard {

    /** A search over at most this many pending ids asks the graph for more hits rather than filtering ordinals. */
    private static final int OVERFETCH_LIMIT = 64;
    /** Compaction starts when tombstones reach this share of the live records ... */
    private static final double COMPACT_RATIO = 0.25;
    /** ... and at least this many, so small shards do not rebuild over a handful of deletes. */
    static final int COMPACT_MIN_TOMBSTONES = 1_000;

    enum State { BUILDING, READY, DROPPED }

    /** What the shard keeps of an indexed record besides its vector (which lives in the index). */
    private record Indexed(long version, Payload payload) {}

    final int partition;
    private final Metric metric;
    private final Executor drains;
    private final Executor maintenance;
    /** Replaced whole by compaction; a search reads it once, since ordinals belong to one index. */
    private volatile HnswIndex index;
    private final VectorKernels kernels = Vectorization.kernels();
    private final Map<String, Change> pending = new ConcurrentHashMap<>();
    private final Map<String, Indexed> indexed = new ConcurrentHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile State state = State.BUILDING;
    /** Changes applied since the last snapshot. */
    private volatile boolean dirty;
    /** While building from a snapshot: the versions it holds that the partition scan has not confirmed yet. */
    private Map<String, Long> unconfirmed;
    /** {@code snapshot} when the build started from one, else {@code scan}. */
    private volatile String builtFrom = "scan";

    /**
     * Creates a building shard; {@code drains} applies writes to the index, {@code maintenance} runs compactions.
     */
    Shard(CollectionSpec spec, int partition, Executor drains, Executor maintenance) {
        this.partition = partition;
        this.drains = drains;
        this.maintenance = maintenance;
        this.metric = Metric.parse(spec.metric());
        this.index = HnswIndex.builder(spec.dimension(), metric)
                .m(spec.hnsw().m())
                .efConstruction(spec.hnsw().efConstruction())
                .build();
    }

    State state() {
        return state;
    }

    int size() {
        return index.size();
    }

    int pendingCount() {
        return pending.size();
    }

    String builtFrom() {
        return builtFrom;
    }

    int tombstones() {
        return index.tombstones();
    }

    /** Records a write seen on Ignite's update path; cheap, so it can run inside Ignite's entry lock. */
    void enqueue(String id, Change change) {
        if (state == State.DROPPED) {
            return;
        }
        pending.put(id, change);
        scheduleDrain();
    }

    /**
     * Starts the build from a snapshot instead of an empty index: the partition scan then only confirms records
     * whose version matches ({@link #load}), and {@link #ready} deletes those it never saw.
     */
    void restore(ShardSnapshot.Loaded snapshot) {
        index = snapshot.index();
        unconfirmed = new HashMap<>(snapshot.versions());
        builtFrom = "snapshot";
    }

    /** Applies a record read by the partition scan that builds this shard. */
    void load(String id, Change change) {
        Long snapshotVersion = unconfirmed == null ? null : unconfirmed.remove(id);
        if (snapshotVersion != null && snapshotVersion == change.version && !change.isDeletion()) {
            indexed.put(id, new Indexed(change.version, change.payload)); // the restored graph has this version
            return;
        }
        apply(id, change);
    }

    /** Marks the build finished: searches may use the shard, and writes seen meanwhile are applied. */
    void ready() {
        if (unconfirmed != null) {
            unconfirmed.keySet().forEach(index::delete); // deleted while the snapshot sat on disk
            if (!unconfirmed.isEmpty()) {
                dirty = true;
            }
            unconfirmed = null;
        }
        if (state == State.BUILDING) {
            state = State.READY;
            scheduleDrain();
            compactIfNeeded();
        }
    }

    void drop() {
        state = State.DROPPED;
        pending.clear();
    }

    private void scheduleDrain() {
        if (state == State.READY && !pending.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                drains.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The node is stopping; its shards are going away with it.
                draining.set(false);
            }
        }
    }

    private void drain() {
        try {
            for (Map.Entry<String, Change> entry : pending.entrySet()) {
                if (state != State.READY) {
                    return;
                }
                apply(entry.getKey(), entry.getValue());
                // Only now leave the tail: a search sees the write in the graph, the tail, or (briefly) both.
                pending.remove(entry.getKey(), entry.getValue());
            }
        } finally {
            draining.set(false);
            scheduleDrain();
        }
        compactIfNeeded();
    }

    /**
     * Rebuilds the index without its tombstones once they pass the threshold, in the background. It holds the drain
     * flag meanwhile: writes wait in the tail (searched exactly) and searches use the old index until the swap.
     */
    private void compactIfNeeded() {
        HnswIndex current = index;
        if (state != State.READY || current.tombstones() < Math.max(COMPACT_MIN_TOMBSTONES,
                current.size() * COMPACT_RATIO) || !draining.compareAndSet(false, true)) {
            return;
        }
        try {
            maintenance.execute(this::compact);
        } catch (RejectedExecutionException e) {
            // The node is stopping; its shards are going away with it.
            draining.set(false);
        }
    }

    /**
     * Writes the index and the version of every record in it to {@code dir}, when anything changed since the last
     * snapshot. It holds the drain flag meanwhile, so the two files describe the same moment; returns false when a
     * drain or compaction was running (the next round tries again).
     *
     * @throws IOException when the files cannot be written
     */
    boolean snapshot(Path dir) throws IOException {
        if (state != State.READY || !dirty || !draining.compareAndSet(false, true)) {
            return false;
        }
        try {
            // No change applies while this runs (the drain flag is held), so the versions match the index.
            Map<String, Long> versions = new HashMap<>(indexed.size() * 2);
            indexed.forEach((id, record) -> versions.put(id, record.version()));
            ShardSnapshot.write(dir, partition, index, versions);
            dirty = false;
            return true;
        } finally {
            draining.set(false);
            scheduleDrain();
        }
    }

    private void compact() {
        try {
            if (state == State.READY) {
                index = index.compact();
            }
        } finally {
            draining.set(false);
            scheduleDrain();
        }
    }

    private void apply(String id, Change change) {
        dirty = true;
        if (change.isDeletion()) {
            index.delete(id);
            indexed.remove(id);
            return;
        }
        Indexed current = indexed.get(id);
        if (current != null && current.version() > change.version) {
            return; // the partition scan already read a newer value of this record
        }
        try {
            index.upsert(id, change.vector);
            indexed.put(id, new Indexed(change.version, change.payload));
        } catch (IllegalArgumentException e) {
            // A writer outside Gridvec's API stored a vector the index refuses: the record is not searchable.
            index.delete(id);
            indexed.remove(id);
            System.getLogger(Shard.class.getName()).log(System.Logger.Level.WARNING,
                    "record '" + id + "' of partition " + partition + " is not searchable: " + e.getMessage());
        }
    }

    /**
     * Returns up to {@code k} hits (id and score, best first) among the records the filter admits.
     *
     * @param ef beam width, or 0 for the index default
     */
    List<Hit> search(float[] query, int k, int ef, PayloadFilter filter, boolean exact) {
        // Usually the tail is empty: then the search allocates nothing for it.
        List<Map.Entry<String, Change>> tail = pending.isEmpty() ? List.of() : new ArrayList<>(pending.entrySet());
        Set<String> tailIds = tail.isEmpty() ? Set.of() : new HashSet<>(tail.size() * 2);
        for (Map.Entry<String, Change> entry : tail) {
            tailIds.add(entry.getKey());
        }
        HnswIndex snapshot = index;
        int width = ef > 0 ? ef : snapshot.efSearch();
        SearchResults results;
        if (filter == null && tail.size() <= OVERFETCH_LIMIT) {
            int fetch = k + tail.size();
            results = exact ? snapshot.searchExact(query, fetch, null, null)
                    : snapshot.search(query, fetch, Math.max(width, fetch), null, null);
        } else {
            OrdinalFilter admitted = OrdinalFilter.of(ordinal -> {
                String id = snapshot.id(ordinal);
                if (tailIds.contains(id)) {
                    return false;
                }
                Indexed record = filter == null ? null : indexed.get(id);
                return filter == null || record != null && filter.matches(record.payload().node());
            });
            results = exact ? snapshot.searchExact(query, k, admitted, null) : snapshot.search(query, k, width, admitted, null);
        }
        List<Hit> hits = new ArrayList<>(k);
        for (int i = 0; i < results.size(); i++) {
            String id = snapshot.id(results.ordinal(i));
            if (!tailIds.contains(id)) {
                hits.add(new Hit(id, results.score(i)));
            }
        }
        for (Map.Entry<String, Change> entry : tail) {
            Change change = entry.getValue();
            if (!change.isDeletion() && change.vector.length == query.length
                    && (filter == null || filter.matches(change.payload.node()))) {
                hits.add(new Hit(entry.getKey(), metric.score(kernels, query, change.vector)));
            }
        }
        hits.sort(Comparator.comparingDouble(hit -> metric.distance(hit.score())));
        return hits.size() > k ? new ArrayList<>(hits.subList(0, k)) : hits;
    }

    /** A search hit inside a node: id and score. */
    record Hit(String id, float score) {}
}
