package io.gridvec.shard.record;

import javax.cache.processor.MutableEntry;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Writes a record's vector and payload on its primary, with the next version; returns that version. */
final class UpsertProcessor implements CacheEntryProcessor<String, BinaryObject, Long> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final float[] vector;
    private final String payload;

    UpsertProcessor(float[] vector, String payload) {
        this.vector = vector;
        this.payload = payload;
    }

    @Override
    public Long process(MutableEntry<String, BinaryObject> entry, Object... arguments) {
        long version = RecordValue.next(entry.exists() ? RecordValue.version(entry.getValue()) : 0);
        entry.setValue(RecordValue.build(ignite.binary(), vector, payload, version));
        return version;
    }
}
