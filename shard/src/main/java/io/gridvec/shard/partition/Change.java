package io.gridvec.shard.partition;

import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorRules;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.layout.RecordValue;
import org.apache.ignite.binary.BinaryObject;

/**
 * One write a shard has seen but maybe not yet indexed: the record's new vector, payload and version, or its
 * deletion. A stored value that cannot be searched (written outside Gridvec's API with another type, no vector, the
 * wrong dimension or non-finite values) is a change too: the index drops the id as for a deletion, and the reason is
 * kept for the log. Immutable.
 */
public final class Change {

    private static final Change DELETION = new Change(0, null, Payload.NONE, null);
    /** What a change costs beyond its vector and payload text: the object, its map entry, the id. */
    private static final int OVERHEAD_BYTES = 96;

    final long version;
    final float[] vector;
    final Payload payload;
    /** Why the stored value is not searchable, or null. */
    final String unsearchable;
    /** An estimate of the heap the change holds while it waits in a shard's tail. */
    final int bytes;

    private Change(long version, float[] vector, Payload payload, String unsearchable) {
        this.version = version;
        this.vector = vector;
        this.payload = payload;
        this.unsearchable = unsearchable;
        this.bytes = OVERHEAD_BYTES + (vector == null ? 0 : vector.length * Float.BYTES) + payload.chars() * 2;
    }

    /** Reads the value Ignite stored for a record of collection {@code spec}; never throws on a foreign value. */
    public static Change of(Object value, CollectionSpec spec) {
        String problem = RecordValue.shapeProblem(value);
        if (problem != null) {
            return new Change(0, null, Payload.NONE, problem);
        }
        BinaryObject record = (BinaryObject) value;
        float[] vector = RecordValue.vector(record);
        problem = VectorRules.problem(vector, spec.dimension(), Metric.parse(spec.metric()), "its vector");
        long version = RecordValue.version(record);
        return problem != null ? new Change(version, null, Payload.NONE, problem)
                : new Change(version, vector, Payload.of(RecordValue.payload(record)), null);
    }

    /** Returns the change a write of this vector and payload makes (what the feed reads from a stored record). */
    public static Change upsert(long version, float[] vector, String payloadJson) {
        return new Change(version, vector, Payload.of(payloadJson), null);
    }

    /** Returns the change a removal of the record makes. */
    public static Change deletion() {
        return DELETION;
    }

    /** Whether the record leaves the index: deleted, or replaced by a value that cannot be searched. */
    boolean isDeletion() {
        return vector == null;
    }
}
