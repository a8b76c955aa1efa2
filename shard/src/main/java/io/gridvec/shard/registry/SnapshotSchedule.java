package io.gridvec.shard.registry;

import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.partition.Shard;
import io.gridvec.shard.partition.ShardSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * When and where shards are written to disk: every shard with changes writes its snapshot every
 * {@value #INTERVAL_S} s (on the build pool) and at a graceful stop, under {@code <root>/<collection>/}; the
 * directories of deleted collections are removed. Thread-safe.
 */
final class SnapshotSchedule {

    private static final System.Logger LOG = System.getLogger(SnapshotSchedule.class.getName());
    /** How often a shard with changes writes its snapshot (and always at a graceful stop). */
    static final long INTERVAL_S = 60;

    private final Path root;
    private final Map<String, CollectionShards> collections;
    private final ExecutorService writers;
    private final AtomicLong failures = new AtomicLong();

    SnapshotSchedule(Path root, Map<String, CollectionShards> collections, ExecutorService writers) {
        this.root = root;
        this.collections = collections;
        this.writers = writers;
    }

    void start(ScheduledExecutorService maintenance) {
        maintenance.scheduleWithFixedDelay(this::writeChanged, INTERVAL_S, INTERVAL_S, TimeUnit.SECONDS);
    }

    /** Returns how many snapshot writes failed. */
    long failures() {
        return failures.get();
    }

    private void writeChanged() {
        for (CollectionShards collection : collections.values()) {
            for (Shard shard : collection.shards().values()) {
                try {
                    writers.execute(() -> write(collection.spec(), shard));
                } catch (RejectedExecutionException e) {
                    return; // closing: writeAll() writes the final snapshots itself
                }
            }
        }
    }

    /** Writes the snapshot of every shard with changes, in this thread. */
    void writeAll() {
        for (CollectionShards collection : collections.values()) {
            collection.shards().values().forEach(shard -> write(collection.spec(), shard));
        }
    }

    private void write(CollectionSpec spec, Shard shard) {
        try {
            shard.snapshot(root.resolve(spec.name()));
        } catch (IOException | RuntimeException e) {
            // A writer's boundary: the shard keeps working from memory; the next round tries again, and a restart
            // rebuilds from the partition if it must.
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "shard " + spec.name() + "/" + shard.partition()
                    + ": writing its snapshot failed", e);
        }
    }

    /** Removes the snapshots of a deleted collection. */
    void delete(CollectionSpec spec) {
        try {
            ShardSnapshot.deleteAll(root.resolve(spec.name()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshots of deleted collection " + spec.name()
                    + " could not be removed from " + root, e);
        }
    }

    /** Removes the snapshots of collections that are not in {@code existing} (deleted while this node was down). */
    void deleteOrphans(Collection<CollectionSpec> existing) {
        if (!Files.isDirectory(root)) {
            return;
        }
        Set<String> names = existing.stream().map(CollectionSpec::name).collect(Collectors.toSet());
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.filter(dir -> !names.contains(dir.getFileName().toString())).toList()) {
                ShardSnapshot.deleteAll(dir);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "snapshots of deleted collections could not be removed from "
                    + root, e);
        }
    }
}
