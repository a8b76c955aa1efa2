package io.gridvec.shard.record;

import org.apache.ignite.IgniteBinary;
import org.apache.ignite.binary.BinaryObject;

/**
 * The stored form of a record: one Ignite binary object of type {@value #TYPE} with the fields {@code vector}
 * ({@code float[]}), {@code payload} (a JSON object as a string, or null) and {@code version} (a {@code long} that
 * grows with every write of the key). Vector and payload live in one value, so KV, SQL and search never see one
 * without the other. Stateless.
 */
public final class RecordValue {

    /** The binary type name; thin clients that write records build objects of this type. */
    public static final String TYPE = "GridvecRecord";
    static final String VECTOR = "vector";
    static final String PAYLOAD = "payload";
    static final String VERSION = "version";

    private RecordValue() {}

    /** Builds a stored value. */
    public static BinaryObject build(IgniteBinary binary, float[] vector, String payload, long version) {
        return binary.builder(TYPE)
                .setField(VECTOR, vector, float[].class)
                .setField(PAYLOAD, payload, String.class)
                .setField(VERSION, version, Long.class)
                .build();
    }

    /**
     * Returns why a stored value cannot be read as a record, or null when it can: a foreign writer (a thin client,
     * SQL) may store another type, or a {@value #TYPE} whose fields have other types.
     */
    public static String shapeProblem(Object value) {
        if (!(value instanceof BinaryObject record)) {
            return "it is a " + (value == null ? "null" : value.getClass().getSimpleName()) + ", not a " + TYPE;
        }
        String type = record.type().typeName();
        if (!TYPE.equals(type)) {
            return "it is a " + type + ", not a " + TYPE;
        }
        Object vector = record.field(VECTOR);
        if (!(vector instanceof float[])) {
            return "its vector is " + (vector == null ? "missing" : "not a float[]");
        }
        Object payload = record.field(PAYLOAD);
        if (payload != null && !(payload instanceof String)) {
            return "its payload is not a string";
        }
        Object version = record.field(VERSION);
        return version == null || version instanceof Long ? null : "its version is not a long";
    }

    /** The version and payload JSON (or null) of a stored record. */
    public record Head(long version, String payload) {}

    /**
     * Returns the version and payload of a stored {@value #TYPE} without reading its vector, or null when the value is
     * not one or those two fields have other types ({@link #shapeProblem} says why).
     */
    public static Head head(Object value) {
        if (value instanceof BinaryObject record && TYPE.equals(record.type().typeName())
                && record.field(VERSION) instanceof Long version) {
            Object payload = record.field(PAYLOAD);
            if (payload == null || payload instanceof String) {
                return new Head(version, (String) payload);
            }
        }
        return null;
    }

    /** Returns the vector of a stored value, or null when a foreign writer left it out. */
    public static float[] vector(BinaryObject value) {
        return value.field(VECTOR);
    }

    /** Returns the payload JSON of a stored value, or null. */
    public static String payload(BinaryObject value) {
        return value.field(PAYLOAD);
    }

    /** Returns the version of a stored value (0 when a foreign writer left it out). */
    public static long version(BinaryObject value) {
        Long version = value.field(VERSION);
        return version == null ? 0 : version;
    }

    /**
     * Returns the version of the next write after {@code previous}: larger than it, and taken from the clock (in
     * microseconds) when that is larger, so a record deleted and written again never reuses an old version.
     */
    static long next(long previous) {
        return Math.max(previous + 1, System.currentTimeMillis() * 1_000);
    }
}
