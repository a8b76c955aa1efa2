package io.gridvec.shard.record;

import io.gridvec.shard.catalog.ClusterNotReadyException;
import io.gridvec.shard.catalog.CollectionNotFoundException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.catalog.WriteGenerations;
import io.gridvec.shard.layout.RecordValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.cache.Cache;
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import org.apache.ignite.cache.CachePartialUpdateException;
import org.apache.ignite.cache.CacheServerNotFoundException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.lang.IgniteClosure;

/**
 * Reads and writes the records of collections through their Ignite caches. Writes go through entry processors on
 * the primary, so each record's version grows atomically with its content; FULL_SYNC means a returned write has
 * reached every owner. Every write then raises its collection's {@link WriteGenerations} counter, also when it
 * failed part way, before it returns. Callers validate records first ({@code query-router}). Thread-safe.
 */
public final class RecordStore {

    /** The largest payload, in UTF-8 bytes of its JSON. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    /** The records a delete by filter removes per round trip. */
    private static final int DELETE_BATCH = 1_000;

    private final Ignite ignite;
    private final WriteGenerations generations;

    /** What a patch did. */
    public enum PatchOutcome { PATCHED, ABSENT, PAYLOAD_TOO_LARGE }

    /** A patch's outcome and, when {@link PatchOutcome#PATCHED}, the record as the patch wrote it (else null). */
    public record PatchResult(PatchOutcome outcome, StoredRecord record) {}

    /** Creates a store over a node of the cluster. */
    public RecordStore(Ignite ignite) {
        this.ignite = ignite;
        this.generations = new WriteGenerations(ignite);
    }

    /**
     * Inserts or replaces records in one batch and checks that each was written.
     *
     * @throws CollectionNotFoundException when the collection is gone
     * @throws WriteFailedException naming the records that were not written (the others were)
     */
    public void upsert(CollectionSpec spec, List<StoredRecord> records) {
        Map<String, UpsertProcessor> writes = new LinkedHashMap<>();
        RecordValue.Layout layout = spec.layout();
        for (StoredRecord record : records) {
            writes.put(record.id(), new UpsertProcessor(layout, record.vector(), record.payload()));
        }
        thenRaise(spec, () -> checked(writes.keySet(), onCache(spec,
                cache -> invokeAll(writes.keySet(), () -> cache.invokeAll(writes)))));
    }

    /**
     * Returns a record, if present.
     *
     * @throws NotARecordException when the id holds a value written outside Gridvec that is not a record
     */
    public Optional<StoredRecord> get(CollectionSpec spec, String id) {
        Object value = onCache(spec, cache -> cache.get(id));
        if (value == null) {
            return Optional.empty();
        }
        String problem = RecordValue.shapeProblem(value);
        if (problem != null) {
            throw new NotARecordException(spec.name(), id, problem);
        }
        BinaryObject record = (BinaryObject) value;
        return Optional.of(new StoredRecord(id, RecordValue.vector(record), RecordValue.payload(record),
                RecordValue.version(record)));
    }

    /**
     * Replaces the vector (when not null) and merges the payload patch (a JSON object, when not null) of an existing
     * record atomically, in one round trip to its primary.
     *
     * @throws NotARecordException when the id holds a value written outside Gridvec that is not a record
     * @throws WriteFailedException when the write failed on the record's primary
     */
    public PatchResult patch(CollectionSpec spec, String id, float[] vector, String payloadPatch) {
        // As in delete: no write to an id that does not exist.
        if (!onCache(spec, cache -> cache.containsKey(id))) {
            return new PatchResult(PatchOutcome.ABSENT, null);
        }
        Object result = thenRaise(spec, () -> {
            try {
                PatchProcessor patch = new PatchProcessor(spec.layout(), vector, payloadPatch,
                        MAX_PAYLOAD_BYTES);
                return onCache(spec, cache -> cache.invoke(id, patch));
            } catch (EntryProcessorException e) {
                throw new WriteFailedException(List.of(id), 1, e);
            }
        });
        if (result instanceof BinaryObject written) {
            return new PatchResult(PatchOutcome.PATCHED, new StoredRecord(id, RecordValue.vector(written),
                    RecordValue.payload(written), RecordValue.version(written)));
        }
        long code = (Long) result;
        if (code == PatchProcessor.NOT_A_RECORD) {
            throw new NotARecordException(spec.name(), id, "its stored value has another type or shape");
        }
        return new PatchResult(code == PatchProcessor.ABSENT ? PatchOutcome.ABSENT : PatchOutcome.PAYLOAD_TOO_LARGE,
                null);
    }

    /**
     * Deletes records by id; returns how many existed.
     *
     * @throws WriteFailedException naming the records that were not deleted (the others were)
     */
    public int delete(CollectionSpec spec, Collection<String> ids) {
        // Only ids that exist are written to: a write to a partition that never held anything leaves its file in a
        // state Ignite's snapshots refuse ("partitions must be in the OWNING state"; found by docs/api.md's example).
        Set<String> keys = new LinkedHashSet<>(onCache(spec, cache -> cache.getAll(new LinkedHashSet<>(ids)))
                .keySet());
        if (keys.isEmpty()) {
            return 0;
        }
        Map<String, Boolean> existed = thenRaise(spec, () -> checked(keys, onCache(spec,
                cache -> invokeAll(keys, () -> cache.invokeAll(keys, new RemoveProcessor())))));
        return (int) existed.values().stream().filter(Boolean.TRUE::equals).count();
    }

    /**
     * Deletes every record whose payload passes {@code filterJson} (a filter validated by the caller), in batches of
     * {@value #DELETE_BATCH}; returns how many it deleted. Records written while it runs may or may not be deleted.
     *
     * @throws WriteFailedException naming the records of a batch that were not deleted (those before were)
     */
    public int deleteMatching(CollectionSpec spec, String filterJson) {
        List<String> ids = onCache(spec, cache -> ids(cache, new ScanQuery<>(new PayloadMatch(filterJson))));
        int deleted = 0;
        for (int from = 0; from < ids.size(); from += DELETE_BATCH) {
            deleted += delete(spec, ids.subList(from, Math.min(ids.size(), from + DELETE_BATCH)));
        }
        return deleted;
    }

    /** Where a listing stopped: after record {@code id} of partition {@code partition} (id null: before it). */
    public record Cursor(int partition, String id) {}

    /** A page of records and the cursor of the next page (null after the last one). */
    public record Page(List<StoredRecord> records, Cursor next) {}

    /**
     * Returns the next {@code limit} records whose payload passes {@code filterJson} (null: all), in the order of
     * partition and then id, after {@code after} (null: from the start). The order is fixed (a record never changes
     * partition), so a listing that pages through while others write lists each record that exists throughout once;
     * records written or deleted meanwhile may or may not appear. Each page reads the ids of the partitions it
     * covers in full, then the records it returns.
     */
    public Page page(CollectionSpec spec, String filterJson, Cursor after, int limit) {
        List<String> ids = new ArrayList<>(limit);
        Cursor next = null;
        int partition = after == null ? 0 : after.partition();
        for (; partition < spec.partitions() && ids.size() < limit; partition++) {
            int p = partition;
            List<String> keys = onCache(spec, cache -> ids(cache, new ScanQuery<>(p, new PayloadMatch(filterJson))));
            String from = after != null && p == after.partition() ? after.id() : null;
            List<String> sorted = keys.stream().filter(id -> from == null || id.compareTo(from) > 0).sorted().toList();
            int take = Math.min(sorted.size(), limit - ids.size());
            ids.addAll(sorted.subList(0, take));
            if (take < sorted.size() || ids.size() == limit && partition + 1 < spec.partitions()) {
                next = take < sorted.size() ? new Cursor(p, ids.get(ids.size() - 1)) : new Cursor(p + 1, null);
            }
        }
        Map<String, Object> values = onCache(spec, cache -> cache.getAll(new LinkedHashSet<>(ids)));
        List<StoredRecord> records = new ArrayList<>(ids.size());
        for (String id : ids) {
            Object value = values.get(id);
            if (value != null && RecordValue.shapeProblem(value) == null) {
                BinaryObject record = (BinaryObject) value;
                records.add(new StoredRecord(id, RecordValue.vector(record), RecordValue.payload(record),
                        RecordValue.version(record)));
            }
        }
        return new Page(records, next);
    }

    /**
     * Runs a scan whose filter admits records only and returns their ids; the scan is typed over any key, since a
     * foreign writer may have stored other keys in the cache.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<String> ids(IgniteCache<String, Object> cache, ScanQuery<Object, Object> scan) {
        try (var cursor = ((IgniteCache) cache).query(scan, new KeyOf())) {
            return (List<String>) cursor.getAll();
        }
    }

    /** A scan's transformer that sends back only the record's id. */
    private static final class KeyOf implements IgniteClosure<Cache.Entry<Object, Object>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String apply(Cache.Entry<Object, Object> entry) {
            return (String) entry.getKey();
        }
    }

    /** Runs a write, then raises the collection's write counter, whether the write succeeded or not. */
    private <T> T thenRaise(CollectionSpec spec, Supplier<T> write) {
        T result;
        try {
            result = write.get();
        } catch (RuntimeException e) {
            try {
                generations.raise(spec.name());
            } catch (RuntimeException raising) {
                e.addSuppressed(raising);
            }
            throw e;
        }
        generations.raise(spec.name());
        return result;
    }

    /** Runs an {@code invokeAll}; keys Ignite reports it could not update become a {@link WriteFailedException}. */
    private static <T> Map<String, EntryProcessorResult<T>> invokeAll(Set<String> keys,
            Supplier<Map<String, EntryProcessorResult<T>>> invocation) {
        try {
            return invocation.get();
        } catch (CachePartialUpdateException e) {
            List<String> failed = e.failedKeys().stream().map(String::valueOf).toList();
            throw new WriteFailedException(failed, keys.size(), e);
        }
    }

    /**
     * Returns each key's processor result; every processor returns a value, so a key without a result, or whose
     * processor threw, was not written.
     */
    private static <T> Map<String, T> checked(Set<String> keys, Map<String, EntryProcessorResult<T>> results) {
        Map<String, T> values = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        RuntimeException cause = null;
        for (String key : keys) {
            EntryProcessorResult<T> result = results.get(key);
            try {
                if (result == null) {
                    throw new IllegalStateException("Ignite returned no result for record '" + key + "'");
                }
                values.put(key, result.get());
            } catch (EntryProcessorException | IllegalStateException e) {
                failed.add(key);
                if (cause == null) {
                    cause = e;
                } else if (cause.getSuppressed().length < 10) {
                    cause.addSuppressed(e);
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new WriteFailedException(failed, keys.size(), cause);
        }
        return values;
    }

    /**
     * Runs {@code operation} on the collection's cache; a cache that is missing or destroyed during the operation
     * (the collection was deleted) becomes {@link CollectionNotFoundException}.
     */
    private <T> T onCache(CollectionSpec spec, Function<IgniteCache<String, Object>, T> operation) {
        IgniteCache<String, Object> cache = ignite.cache(spec.cacheName());
        if (cache == null) {
            throw new CollectionNotFoundException(spec.name());
        }
        try {
            return operation.apply(cache.withKeepBinary());
        } catch (CacheServerNotFoundException e) {
            // Ignite maps every key to its owners before it sends the operation, and refuses it whole when a key's
            // partition has no owner online.
            throw new ClusterNotReadyException("collection '" + spec.name() + "': some of these records belong to "
                    + "partitions with no owner online (their nodes left and no backup holds them); nothing was "
                    + "changed; retry once those nodes are back");
        } catch (IllegalStateException e) {
            // Ignite's cache proxy throws this once the cache is closed or destroyed.
            if (ignite.cache(spec.cacheName()) == null) {
                throw new CollectionNotFoundException(spec.name());
            }
            throw e;
        }
    }
}
