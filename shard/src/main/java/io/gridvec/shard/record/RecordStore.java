package io.gridvec.shard.record;

import io.gridvec.shard.catalog.ClusterNotReadyException;
import io.gridvec.shard.catalog.CollectionNotFoundException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.catalog.WriteGenerations;
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
import javax.cache.processor.EntryProcessorException;
import javax.cache.processor.EntryProcessorResult;
import org.apache.ignite.cache.CachePartialUpdateException;
import org.apache.ignite.cache.CacheServerNotFoundException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;

/**
 * Reads and writes the records of collections through their Ignite caches. Writes go through entry processors on
 * the primary, so each record's version grows atomically with its content; FULL_SYNC means a returned write has
 * reached every owner. Every write then raises its collection's {@link WriteGenerations} counter, also when it
 * failed part way, before it returns. Callers validate records first ({@code query-router}). Thread-safe.
 */
public final class RecordStore {

    /** The largest payload, in UTF-8 bytes of its JSON. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

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
        for (StoredRecord record : records) {
            writes.put(record.id(), new UpsertProcessor(record.vector(), record.payload()));
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
        Object result = thenRaise(spec, () -> {
            try {
                return onCache(spec, cache -> cache.invoke(id, new PatchProcessor(vector, payloadPatch,
                        MAX_PAYLOAD_BYTES)));
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
        Set<String> keys = new LinkedHashSet<>(ids);
        Map<String, Boolean> existed = thenRaise(spec, () -> checked(keys, onCache(spec,
                cache -> invokeAll(keys, () -> cache.invokeAll(keys, new RemoveProcessor())))));
        return (int) existed.values().stream().filter(Boolean.TRUE::equals).count();
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
