package io.gridvec.shard.partition;

import io.gridvec.shard.record.RecordValue;
import org.apache.ignite.binary.BinaryObject;

/**
 * One write a shard has seen but maybe not yet indexed: the record's new vector, payload and version, or its
 * deletion (no vector; a value written without a vector counts as one too, since it cannot be searched). Immutable.
 */
final class Change {

    private static final Change DELETION = new Change(0, null, Payload.NONE);

    final long version;
    final float[] vector;
    final Payload payload;

    private Change(long version, float[] vector, Payload payload) {
        this.version = version;
        this.vector = vector;
        this.payload = payload;
    }

    static Change of(BinaryObject value) {
        return upsert(RecordValue.version(value), RecordValue.vector(value), RecordValue.payload(value));
    }

    static Change upsert(long version, float[] vector, String payloadJson) {
        return new Change(version, vector, Payload.of(payloadJson));
    }

    static Change deletion() {
        return DELETION;
    }

    boolean isDeletion() {
        return vector == null;
    }
}
