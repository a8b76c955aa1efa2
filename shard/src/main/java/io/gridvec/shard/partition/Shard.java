package io.gridvec.shard.partition;

import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.index.hnsw.OrdinalFilter;
import io.gridvec.index.hnsw.SearchResults;
import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorKernels;
import io.gridvec.index.vector.Vectorization;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.FieldIndex;
import io.gridvec.shard.filter.PayloadFilter;
import io.gridvec.shard.lag.IndexLag;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The search structure of one partition of one collection on one owner: an HNSW index of the records it has
 * applied, plus the tail of writes it has seen but not yet applied ({@link #pending}, newest per id). A search reads
 * both: graph hits whose id has a pending write are dropped and the pending writes are scored exactly, so every
 * acknowledged write is visible to the next search. Writes reach {@link #enqueue} from Ignite's update path in the
 * order of the key's updates and are counted in the node's {@link IndexLag}; a drain applies them on another thread.
 *
 * <p>A shard is {@code BUILDING} until {@link #ready()}, then {@code READY}, and {@code DROPPED} for good once
 * {@link #drop()} ran, whatever else races with it. A change that fails to apply stops the drains and marks the shard
 * {@link #needsRebuild()}; the failing change stays in the tail, so searches still see it until the shard is rebuilt.
 * A failed compaction keeps the old index and is tried again after a growing pause. Thread-safe.
 */
public final class Shard {

    private static final System.Logger LOG = System.getLogger(Shard.class.getName());
    /** A search over at most this many pending ids asks the graph for more hits rather than filtering ordinals. */
    private static final int OVERFETCH_LIMIT = 64;
    /** Compaction starts when tombstones reach this share of the live records ... */
    private static final double COMPACT_RATIO = 0.25;
    /** ... and at least this many, so small shards do not rebuild over a handful of deletes. */
    static final int COMPACT_MIN_TOMBSTONES = 1_000;
    private static final long COMPACT_RETRY_MIN_MS = 1_000;
    private static final long COMPACT_RETRY_MAX_MS = 600_000;

    /** The life of a shard: built from its partition, then kept current, until it is dropped. */
    public enum State { BUILDING, READY, DROPPED }

    /** What the shard keeps of an indexed record besides its vector (which lives in the index). */
    private record Indexed(long version, Payload payload) {}

    private final String name;
    private final int partition;
    private final Metric metric;
    private final Executor drains;
    private final Executor maintenance;
    private final IndexLag lag;
    /** Replaced whole by compaction; a search reads it once, since ordinals belong to one index. */
    private volatile HnswIndex index;
    private final VectorKernels kernels = Vectorization.kernels();
    private final Map<String, Change> pending = new ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Map<String, Indexed> indexed = new ConcurrentHashMap<>();
    /** The indexed records' declared payload fields: a selective filter on one tests only the records it names. */
    private final FieldIndex fieldIndex;
    /** Held by the one task at a time that may change or persist the index: a drain, a compaction or a snapshot. */
    private final AtomicBoolean indexWriter = new AtomicBoolean();
    private final AtomicReference<State> state = new AtomicReference<>(State.BUILDING);
    /** Changes applied since the last snapshot. */
    private volatile boolean dirty;
    /** While building from a snapshot: the versions it holds that the partition scan has not confirmed yet. */
    private Map<String, Long> unconfirmed;
    /** {@code snapshot} when the build started from one, else {@code scan}. */
    private volatile String builtFrom = "scan";
    private volatile boolean needsRebuild;
    /** Set when the node stops: a running drain ends after its current record, so the final snapshot can be taken. */
    private volatile boolean stopping;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong unsearchable = new AtomicLong();
    /** Compaction backoff after a failure; touched only by the task holding {@link #indexWriter}. */
    private long compactRetryMs;
    private volatile long compactNotBefore = Long.MIN_VALUE;

    /**
     * Creates a building shard of {@code partition}; {@code drains} applies writes to the index, {@code maintenance}
     * runs compactions, {@code lag} counts the writes waiting in the tail.
     */
    public Shard(CollectionSpec spec, int partition, Executor drains, Executor maintenance, IndexLag lag) {
        this.name = spec.name() + "/" + partition;
        this.partition = partition;
        this.drains = drains;
        this.maintenance = maintenance;
        this.lag = lag;
        this.metric = Metric.parse(spec.metric());
        this.fieldIndex = new FieldIndex(spec.fields().keySet());
        this.index = HnswIndex.builder(spec.dimension(), metric)
                .m(spec.hnsw().m())
                .efConstruction(spec.hnsw().efConstruction())
                .build();
    }

    /** Returns the partition. */
    public int partition() {
        return partition;
    }

    /** Returns the state. */
    public State state() {
        return state.get();
    }

    /** Returns the number of records in the index. */
    public int size() {
        return index.size();
    }

    /** Returns the writes waiting in the tail. */
    public int pendingCount() {
        return pending.size();
    }

    /** Returns the estimated heap the waiting writes hold. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    /** Returns {@code snapshot} or {@code scan}: what the build started from. */
    public String builtFrom() {
        return builtFrom;
    }

    /** Returns the replaced or deleted vectors still in the index. */
    public int tombstones() {
        return index.tombstones();
    }

    /** Returns how many changes failed to apply and compactions failed. */
    public long failures() {
        return failures.get();
    }

    /** Returns how many stored values could not be searched (written outside Gridvec with the wrong shape). */
    public long unsearchable() {
        return unsearchable.get();
    }

    /** Returns whether a change failed to apply: the shard no longer drains and should be built again. */
    public boolean needsRebuild() {
        return needsRebuild;
    }

    /** Records a write seen on Ignite's update path; cheap, so it can run inside Ignite's entry lock. */
    public void enqueue(String id, Change change) {
        if (state.get() == State.DROPPED) {
            return;
        }
        Change previous = pending.put(id, change);
        long bytes = weight(id, change) - (previous == null ? 0 : weight(id, previous));
        pendingBytes.addAndGet(bytes);
        lag.add(previous == null ? 1 : 0, bytes);
        if (state.get() == State.DROPPED) {
            leaveTail(id, change); // a drop raced with this write: its sweep or this removes it, never both
            return;
        }
        scheduleDrain();
    }

    private void leaveTail(String id, Change change) {
        if (pending.remove(id, change)) {
            long bytes = weight(id, change);
            pendingBytes.addAndGet(-bytes);
            lag.add(-1, -bytes);
        }
    }

    private static long weight(String id, Change change) {
        return change.bytes + 2L * id.length();
    }

    /**
     * Starts the build from the snapshot in {@code dir} when a usable one exists; the partition scan then only
     * confirms records whose version matches ({@link #load}), and {@link #ready} deletes those it never saw. Returns
     * what the build starts from, for the log; an unusable snapshot is logged and ignored.
     */
    public String restoreFrom(Path dir, CollectionSpec spec) {
        try {
            ShardSnapshot.Loaded loaded = ShardSnapshot.read(dir, partition, spec);
            if (loaded == null) {
                return "a partition scan (no snapshot)";
            }
            restore(loaded);
            return "its snapshot (" + loaded.versions().size() + " records) reconciled with a partition scan";
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "shard " + name + ": snapshot unusable, rebuilding from the "
                    + "partition: " + e.getMessage());
            return "a partition scan (snapshot unusable)";
        }
    }

    void restore(ShardSnapshot.Loaded snapshot) {
        index = snapshot.index();
        unconfirmed = new HashMap<>(snapshot.versions());
        builtFrom = "snapshot";
    }

    /** Applies a record read by the partition scan that builds this shard (the build thread only). */
    public void load(String id, Change change) {
        if (change.isDeletion() || !confirm(id, change.version, change.payload)) {
            if (unconfirmed != null) {
                unconfirmed.remove(id);
            }
            apply(id, change);
        }
    }

    /** Returns whether the restored snapshot holds records the partition scan has not confirmed yet (build thread). */
    public boolean reconciling() {
        return unconfirmed != null && !unconfirmed.isEmpty();
    }

    /**
     * Confirms a record read by the partition scan when the restored snapshot holds it at {@code version}: the graph
     * has it already, so the scan need not read its vector. Returns false, and changes nothing, otherwise; the scan
     * then {@link #load loads} the record (the build thread only).
     */
    public boolean confirm(String id, long version, String payloadJson) {
        return confirm(id, version, Payload.of(payloadJson));
    }

    private boolean confirm(String id, long version, Payload payload) {
        Long snapshotVersion = unconfirmed == null ? null : unconfirmed.get(id);
        // Version 0 (written outside Gridvec) tells no two values apart: such a record is always read again.
        if (snapshotVersion == null || snapshotVersion != version || version == 0) {
            return false;
        }
        unconfirmed.remove(id);
        keep(id, new Indexed(version, payload));
        return true;
    }

    /**
     * Marks the build finished: searches may use the shard, and writes seen meanwhile are applied. Returns false, and
     * changes nothing, when the shard was dropped meanwhile.
     */
    public boolean ready() {
        if (unconfirmed != null) {
            unconfirmed.keySet().forEach(index::delete); // deleted while the snapshot sat on disk
            if (!unconfirmed.isEmpty()) {
                dirty = true;
            }
            unconfirmed = null;
        }
        if (!state.compareAndSet(State.BUILDING, State.READY)) {
            return false;
        }
        scheduleDrain();
        compactIfNeeded();
        return true;
    }

    /** Drops the shard for good: searches stop using it and its tail leaves the node's index lag. */
    public void drop() {
        if (state.getAndSet(State.DROPPED) == State.DROPPED) {
            return;
        }
        pending.forEach(this::leaveTail);
    }

    /**
     * Stops indexing the tail: a drain that runs ends after its current record and no new one starts, so a snapshot
     * taken next (the node's stop) holds what is indexed; the tail's records are in the partition, and a restart's
     * scan loads them.
     */
    public void stopDraining() {
        stopping = true;
    }

    private void scheduleDrain() {
        if (state.get() == State.READY && !needsRebuild && !stopping && !pending.isEmpty()
                && indexWriter.compareAndSet(false, true)) {
            try {
                drains.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // The node is stopping; its shards are going away with it.
                indexWriter.set(false);
            }
        }
    }

    private void drain() {
        try {
            for (Map.Entry<String, Change> entry : pending.entrySet()) {
                if (state.get() != State.READY || stopping) {
                    return;
                }
                try {
                    apply(entry.getKey(), entry.getValue());
                } catch (RuntimeException e) {
                    // The drain task's boundary. Retrying would fail the same way forever: stop draining and let
                    // the owner rebuild the shard from its partition; the change stays searchable in the tail.
                    failures.incrementAndGet();
                    needsRebuild = true;
                    LOG.log(System.Logger.Level.WARNING, "shard " + name + ": applying the write of record '"
                            + entry.getKey() + "' failed; the shard will be rebuilt from its partition", e);
                    return;
                }
                // Only now leave the tail: a search sees the write in the graph, the tail, or (briefly) both.
                leaveTail(entry.getKey(), entry.getValue());
            }
        } finally {
            indexWriter.set(false);
            scheduleDrain();
        }
        compactIfNeeded();
    }

    /**
     * Rebuilds the index without its tombstones once they pass the threshold, in the background. It holds the index
     * writer meanwhile: writes wait in the tail (searched exactly) and searches use the old index until the swap.
     */
    private void compactIfNeeded() {
        HnswIndex current = index;
        if (state.get() != State.READY || needsRebuild || System.nanoTime() < compactNotBefore
                || current.tombstones() < Math.max(COMPACT_MIN_TOMBSTONES, current.size() * COMPACT_RATIO)
                || !indexWriter.compareAndSet(false, true)) {
            return;
        }
        try {
            maintenance.execute(this::compact);
        } catch (RejectedExecutionException e) {
            // The node is stopping; its shards are going away with it.
            indexWriter.set(false);
        }
    }

    private void compact() {
        try {
            if (state.get() == State.READY) {
                index = index.compact();
                compactRetryMs = 0;
            }
        } catch (RuntimeException e) {
            // The compaction task's boundary: the old index stays in use, tombstones and all; try again later.
            failures.incrementAndGet();
            compactRetryMs = Math.min(COMPACT_RETRY_MAX_MS, Math.max(COMPACT_RETRY_MIN_MS, compactRetryMs * 2));
            compactNotBefore = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(compactRetryMs);
            LOG.log(System.Logger.Level.WARNING, "shard " + name + ": compaction failed; the index keeps its "
                    + "tombstones and compaction is tried again in " + compactRetryMs / 1000 + " s", e);
        } finally {
            indexWriter.set(false);
            scheduleDrain();
        }
    }

    /**
     * Writes the index and the version of every record in it to {@code dir}, when anything changed since the last
     * snapshot. It holds the index writer meanwhile, so the two files describe the same moment; returns false when a
     * drain or compaction was running (the next round tries again).
     *
     * @throws IOException when the files cannot be written
     */
    public boolean snapshot(Path dir) throws IOException {
        if (state.get() != State.READY || !dirty || !indexWriter.compareAndSet(false, true)) {
            return false;
        }
        try {
            Map<String, Long> versions = new HashMap<>(indexed.size() * 2);
            indexed.forEach((id, record) -> versions.put(id, record.version()));
            ShardSnapshot.write(dir, partition, index, versions);
            dirty = false;
            return true;
        } finally {
            indexWriter.set(false);
            scheduleDrain();
        }
    }

    private void apply(String id, Change change) {
        dirty = true;
        if (change.isDeletion()) {
            index.delete(id);
            keep(id, null);
            if (change.unsearchable != null) {
                unsearchable.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "record '" + id + "' of shard " + name
                        + " is not searchable: " + change.unsearchable);
            }
            return;
        }
        Indexed current = indexed.get(id);
        if (change.version > 0 && current != null && current.version() >= change.version) {
            // The partition scan already read a newer value of this record, or this same write: a write the scan
            // read and the event feed delivered too would otherwise be indexed twice (a tombstone and a copy).
            // A value without a version (0: written outside Gridvec, by a thin client or SQL) always applies: the
            // tail holds the latest event of each id, in the order Ignite applied the writes.
            return;
        }
        index.upsert(id, change.vector);
        keep(id, new Indexed(change.version, change.payload));
    }

    /** Keeps what the shard knows of an indexed record beside its vector (null: it left the index). */
    private void keep(String id, Indexed record) {
        Indexed previous = record == null ? indexed.remove(id) : indexed.put(id, record);
        if (!fieldIndex.isEmpty()) {
            fieldIndex.update(id, previous == null ? null : previous.payload().node(),
                    record == null ? null : record.payload().node());
        }
    }

    /**
     * Returns up to {@code k} hits (id and score, best first) among the records the filter admits.
     *
     * @param ef beam width, or 0 for the index default
     */
    public List<Hit> search(float[] query, int k, int ef, PayloadFilter filter, boolean exact) {
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
            OrdinalFilter admitted = admitted(snapshot, filter, tailIds);
            results = exact ? snapshot.searchExact(query, k, admitted, null)
                    : snapshot.search(query, k, width, admitted, null);
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
            if (!change.isDeletion() && (filter == null || filter.matches(change.payload.node()))) {
                hits.add(new Hit(entry.getKey(), metric.score(kernels, query, change.vector)));
            }
        }
        hits.sort(Comparator.comparingDouble(hit -> metric.distance(hit.score())));
        return hits.size() > k ? new ArrayList<>(hits.subList(0, k)) : hits;
    }

    /**
     * The graph's records a search may return: not replaced by a write in the tail, and passing the filter. A filter
     * with a selective condition on a declared field tests only the records the field index names; any other tests
     * every record.
     */
    private OrdinalFilter admitted(HnswIndex snapshot, PayloadFilter filter, Set<String> tailIds) {
        Collection<String> candidates = filter == null || fieldIndex.isEmpty() ? null : fieldIndex.candidates(filter);
        if (candidates == null) {
            return OrdinalFilter.of(ordinal -> {
                String id = snapshot.id(ordinal);
                if (tailIds.contains(id)) {
                    return false;
                }
                Indexed record = filter == null ? null : indexed.get(id);
                return filter == null || record != null && filter.matches(record.payload().node());
            });
        }
        BitSet admitted = new BitSet();
        for (String id : candidates) {
            if (tailIds.contains(id)) {
                continue;
            }
            Indexed record = indexed.get(id);
            int ordinal = snapshot.ordinal(id);
            if (record != null && ordinal >= 0 && filter.matches(record.payload().node())) {
                admitted.set(ordinal);
            }
        }
        return OrdinalFilter.of(admitted);
    }

    /** A search hit inside a node: id and score. */
    public record Hit(String id, float score) {}
}
