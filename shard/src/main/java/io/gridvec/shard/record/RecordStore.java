package io.gridvec.shard.record;

import io.gridvec.shard.catalog.CollectionNotFoundException;
import io.gridvec.shard.catalog.CollectionSpec;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.cache.processor.EntryProcessorResult;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;

/**
 * Reads and writes the records of collections through their Ignite caches. Writes go through entry processors on
 * the primary, so each record's version grows atomically with its content; FULL_SYNC means a returned write has
 * reached every owner. Callers validate records first ({@code query-router}). Thread-safe.
 */
public final class RecordStore {

    /** The largest payload, in UTF-8 bytes of its JSON. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private final Ignite ignite;

    /** What a patch did. */
    public enum PatchOutcome { PATCHED, ABSENT, PAYLOAD_TOO_LARGE }

    /** Creates a store over a node of the cluster. */
    public RecordStore(Ignite ignite) {
        this.ignite = ignite;
    }

    /**
     * Inserts or replaces records in one batch.
     *
     * @throws CollectionNotFoundException when the collection is gone
     */
    public void upsert(CollectionSpec spec, List<StoredRecord> records) {
        Map<String, UpsertProcessor> writes = new LinkedHashMap<>();
        for (StoredRecord record : records) {
            writes.put(record.id(), new UpsertProcessor(record.vector(), record.payload()));
        }
        onCache(spec, cache -> cache.invokeAll(writes));
    }

    /** Returns a record, if present. */
    public Optional<StoredRecord> get(CollectionSpec spec, String id) {
        BinaryObject value = onCache(spec, cache -> cache.get(id));
        return value == null ? Optional.empty() : Optional.of(new StoredRecord(id, RecordValue.vector(value),
                RecordValue.payload(value), RecordValue.version(value)));
    }

    /**
     * Replaces the vector (when not null) and merges the payload patch (a JSON object, when not null) of an existing
     * record atomically.
     */
    public PatchOutcome patch(CollectionSpec spec, String id, float[] vector, String payloadPatch) {
        long result = onCache(spec, cache -> cache.invoke(id, new PatchProcessor(vector, payloadPatch,
                MAX_PAYLOAD_BYTES)));
        if (result == PatchProcessor.ABSENT) {
            return PatchOutcome.ABSENT;
        }
        return result == PatchProcessor.PAYLOAD_TOO_LARGE ? PatchOutcome.PAYLOAD_TOO_LARGE : PatchOutcome.PATCHED;
    }

    /** Deletes records by id; returns how many existed. */
    public int delete(CollectionSpec spec, Collection<String> ids) {
        Map<String, EntryProcessorResult<Boolean>> results = onCache(spec,
                cache -> cache.invokeAll(new HashSet<>(ids), new RemoveProcessor()));
        int deleted = 0;
        for (EntryProcessorResult<Boolean> result : results.values()) {
            if (Boolean.TRUE.equals(result.get())) {
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * Runs {@code operation} on the collection's cache; a cache that is missing or destroyed during the operation
     * (the collection was deleted) becomes {@link CollectionNotFoundException}.
     */
    private <T> T onCache(CollectionSpec spec, Function<IgniteCache<String, BinaryObject>, T> operation) {
        IgniteCache<String, BinaryObject> cache = ignite.cache(spec.cacheName());
        if (cache == null) {
            throw new CollectionNotFoundException(spec.name());
        }
        try {
            return operation.apply(cache.withKeepBinary());
        } catch (IllegalStateException e) {
            // Ignite's cache proxy throws this once the cache is closed or destroyed.
            if (ignite.cache(spec.cacheName()) == null) {
                throw new CollectionNotFoundException(spec.name());
            }
            throw e;
        }
    }
}
