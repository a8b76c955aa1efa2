package io.gridvec.shard.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.ScanQuery;

/**
 * Cluster-wide backups: Ignite snapshots of every cache (the collections and Gridvec's system caches), each recorded
 * in the system cache {@code gv_snapshots} with the specs of the collections it holds, so a collection can be
 * restored under its spec after it was dropped. Ignite writes a snapshot's files on every server under its work
 * directory ({@code <node.dataDir>/ignite/snapshots/<name>}); it restores a collection only while its cache does not
 * exist. Thread-safe.
 */
public final class Snapshots {

    /** The system cache of snapshot records, by snapshot name. */
    static final String CACHE = "gv_snapshots";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ignite ignite;
    private final CollectionCatalog catalog;

    /** Where a snapshot stands. */
    public enum State { CREATING, DONE, FAILED }

    /**
     * One snapshot: its name, when it was started (epoch milliseconds), where it stands, the specs of the collections
     * it holds, and why it failed (null unless FAILED).
     */
    public record Snapshot(String name, long createdAtMs, State state, List<CollectionSpec> collections,
            String error) {}

    /** Creates the snapshots of the cluster of {@code ignite}, whose collections are {@code catalog}'s. */
    public Snapshots(Ignite ignite, CollectionCatalog catalog) {
        this.ignite = ignite;
        this.catalog = catalog;
    }

    /**
     * Takes a snapshot of the whole cluster under {@code name} and waits until every server has written its part.
     *
     * @return the snapshot, DONE; empty when a snapshot of that name exists already
     * @throws org.apache.ignite.IgniteException when Ignite cannot take it (another snapshot runs, a server left);
     *     the snapshot is then recorded as FAILED with the reason
     * @throws ClusterNotReadyException while the cluster is not active
     */
    public Optional<Snapshot> create(String name) {
        Snapshot creating = new Snapshot(name, System.currentTimeMillis(), State.CREATING, catalog.list(), null);
        if (!cache().putIfAbsent(name, json(creating))) {
            return Optional.empty();
        }
        try {
            ignite.snapshot().createSnapshot(name).get();
        } catch (RuntimeException e) {
            cache().put(name, json(new Snapshot(name, creating.createdAtMs(), State.FAILED, creating.collections(),
                    String.valueOf(e.getMessage()))));
            throw e;
        }
        Snapshot done = new Snapshot(name, creating.createdAtMs(), State.DONE, creating.collections(), null);
        cache().put(name, json(done));
        return Optional.of(done);
    }

    /** Returns the snapshot of that name, if one was taken (or is being taken). */
    public Optional<Snapshot> get(String name) {
        String json = cache().get(name);
        return json == null ? Optional.empty() : Optional.of(parse(json));
    }

    /** Returns every snapshot, oldest first. */
    public List<Snapshot> list() {
        List<Snapshot> all = new ArrayList<>();
        try (var cursor = cache().query(new ScanQuery<String, String>())) {
            for (Cache.Entry<String, String> entry : cursor) {
                all.add(parse(entry.getValue()));
            }
        }
        all.sort(Comparator.comparingLong(Snapshot::createdAtMs).thenComparing(Snapshot::name));
        return all;
    }

    /**
     * Restores one collection of a DONE snapshot: it becomes a collection again, with the records and the spec it had
     * when the snapshot was taken; its shards are built on every owner afterwards.
     *
     * @param spec the collection's spec as {@code snapshot} records it
     * @throws CollectionConflictException when a collection of that name exists (drop it first), or a cache of its
     *     name that is not a collection
     * @throws org.apache.ignite.IgniteException when Ignite cannot restore it (the snapshot's files are missing
     *     on a node, another restore runs); the collection is then not created
     */
    public void restore(Snapshot snapshot, CollectionSpec spec) {
        catalog.restore(spec, cacheName -> ignite.snapshot().restoreSnapshot(snapshot.name(), List.of(cacheName))
                .get());
    }

    private IgniteCache<String, String> cache() {
        return SystemCaches.replicated(ignite, CACHE);
    }

    private static String json(Snapshot snapshot) {
        try {
            return JSON.writeValueAsString(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a snapshot record cannot be written as JSON", e);
        }
    }

    private static Snapshot parse(String json) {
        try {
            return JSON.readValue(json, Snapshot.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("gv_snapshots holds an unreadable record: " + json, e);
        }
    }
}
