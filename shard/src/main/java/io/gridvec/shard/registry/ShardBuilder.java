package io.gridvec.shard.registry;

import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.layout.RecordValue;
import io.gridvec.shard.partition.Change;
import io.gridvec.shard.partition.Shard;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;

/**
 * Builds shards on the build pool: loads the shard's snapshot when a usable one exists, then reads the partition
 * with a local scan ({@code ScanQuery.setPartition(p).setLocal(true)}), then marks the shard ready. A failed build
 * drops the shard and is not tried again for a pause that doubles from 1 s to 5 min per partition, so a partition
 * that cannot be read does not make a build storm. Thread-safe.
 */
final class ShardBuilder {

    private static final System.Logger LOG = System.getLogger(ShardBuilder.class.getName());
    private static final long RETRY_MIN_MS = 1_000;
    private static final long RETRY_MAX_MS = 300_000;

    /** Failed builds of one partition so far, and when the next may start. */
    private record Backoff(long pauseMs, long notBefore) {}

    private final ExecutorService builds;
    private final Path snapshots;
    private final BooleanSupplier closed;
    private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    ShardBuilder(ExecutorService builds, Path snapshots, BooleanSupplier closed) {
        this.builds = builds;
        this.snapshots = snapshots;
        this.closed = closed;
    }

    /** Returns whether a build of this partition may start now (no recent failure, or its pause is over). */
    boolean due(CollectionSpec spec, int partition) {
        Backoff backoff = backoffs.get(key(spec, partition));
        return backoff == null || System.nanoTime() >= backoff.notBefore();
    }

    /** Returns how many builds failed. */
    long failures() {
        return failures.get();
    }

    /** Builds {@code shard}, registered in {@code collection} already, on the build pool. */
    void submit(Ignite node, CollectionShards collection, Shard shard) {
        try {
            builds.execute(() -> build(node, collection, shard));
        } catch (RejectedExecutionException e) {
            // The node is stopping: the shard goes away with it.
            collection.drop(shard.partition(), shard);
        }
    }

    private void build(Ignite node, CollectionShards collection, Shard shard) {
        CollectionSpec spec = collection.spec();
        String key = key(spec, shard.partition());
        try {
            if (!closed.getAsBoolean()) {
                scan(node, spec, shard);
                backoffs.remove(key);
            }
        } catch (RuntimeException e) {
            // A build thread's boundary: forget the shard; the follower builds it again after the pause.
            failures.incrementAndGet();
            Backoff previous = backoffs.get(key); // one build per partition at a time: no race here
            long pauseMs = previous == null ? RETRY_MIN_MS : Math.min(RETRY_MAX_MS, previous.pauseMs() * 2);
            backoffs.put(key, new Backoff(pauseMs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMs)));
            LOG.log(System.Logger.Level.WARNING, "building shard " + key + " failed; trying again in "
                    + pauseMs / 1000 + " s", e);
            collection.drop(shard.partition(), shard);
        }
    }

    private void scan(Ignite node, CollectionSpec spec, Shard shard) {
        long started = System.nanoTime();
        String source = shard.restoreFrom(snapshots.resolve(spec.name()), spec);
        IgniteCache<Object, Object> cache = node.cache(spec.cacheName()).withKeepBinary();
        long foreignKeys = 0;
        ScanQuery<Object, Object> scan = new ScanQuery<>(shard.partition()).setLocal(true);
        try (QueryCursor<Cache.Entry<Object, Object>> cursor = cache.query(scan)) {
            for (Cache.Entry<Object, Object> entry : cursor) {
                if (closed.getAsBoolean() || shard.state() == Shard.State.DROPPED) {
                    return;
                }
                if (entry.getKey() instanceof String id) {
                    // A record the restored snapshot holds at its version is only confirmed: its vector stays unread.
                    RecordValue.Head head = shard.reconciling() ? RecordValue.head(entry.getValue()) : null;
                    if (head == null || !shard.confirm(id, head.version(), head.payload())) {
                        shard.load(id, Change.of(entry.getValue(), spec));
                    }
                } else {
                    foreignKeys++;
                }
            }
        }
        if (foreignKeys > 0) {
            LOG.log(System.Logger.Level.WARNING, "shard " + key(spec, shard.partition()) + ": " + foreignKeys
                    + " entries with keys that are not strings (written outside Gridvec) are not searchable");
        }
        if (shard.ready()) {
            // One line per shard that holds records, saying what it was built from (an empty new shard of a fresh
            // collection is not worth a line).
            LOG.log(shard.size() > 0 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, () -> "shard "
                    + key(spec, shard.partition()) + " ready from " + source + " with " + shard.size()
                    + " records in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    private static String key(CollectionSpec spec, int partition) {
        return spec.name() + "/" + partition;
    }
}
