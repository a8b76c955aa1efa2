package io.gridvec.shard.record;

import io.gridvec.shard.layout.RecordValue;
import javax.cache.processor.MutableEntry;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Writes a record's vector and payload on its primary, with the next version; returns that version. An existing value
 * that is not a record is replaced.
 */
final class UpsertProcessor implements CacheEntryProcessor<String, Object, Long> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final RecordValue.Layout layout;
    private final float[] vector;
    private final String payload;

    UpsertProcessor(RecordValue.Layout layout, float[] vector, String payload) {
        this.layout = layout;
        this.vector = vector;
        this.payload = payload;
    }

    @Override
    public Long process(MutableEntry<String, Object> entry, Object... arguments) {
        // A value of another shape (written outside Gridvec) is replaced; its version, if any, is not trusted.
        Object current = entry.exists() ? entry.getValue() : null;
        long version = RecordValue.next(current != null && RecordValue.shapeProblem(current) == null
                ? RecordValue.version((BinaryObject) current) : 0);
        entry.setValue(layout.build(ignite.binary(), vector, payload, version));
        return version;
    }
}
