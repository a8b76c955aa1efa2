package io.gridvec.shard.layout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ignite.IgniteBinary;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;

/**
 * The stored form of a record: one Ignite binary object of the collection's type ({@link #typeName}:
 * {@value #TYPE_PREFIX} and a hash of the declared fields) with the fields {@code vector} ({@code byte[]}: the
 * floats in little-endian order, 4 bytes each, so SQL can read and write it as VARBINARY), {@code payload} (the
 * undeclared part of the payload, a JSON object as a string, or null), {@code version} (a {@code long} that grows with
 * every write of the key) and one typed field per declared payload field that the payload has. Vector and payload
 * live in one value, so KV, SQL and search never see one without the other. Readers see the payload whole: the
 * declared fields merged back into the JSON. Stateless.
 */
public final class RecordValue {

    /** How every record type's name starts; thin clients that write records use the collection's full type name. */
    public static final String TYPE_PREFIX = "GridvecRecord_";
    static final String VECTOR = "vector";
    static final String PAYLOAD = "payload";
    static final String VERSION = "version";
    /** The type of collections without declared fields, whose payload needs no merging. */
    private static final String PLAIN_TYPE = typeName(Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordValue() {}

    /**
     * How one collection's records are built: their type and declared fields. Immutable; sent with entry processors
     * (a class, not a record: Ignite's marshaller cannot write records).
     */
    public static final class Layout implements Serializable {

        private static final long serialVersionUID = 1L;

        private final String type;
        private final LinkedHashMap<String, FieldType> fields;

        /** The layout of a collection's records, from its declared fields. */
        public Layout(Map<String, FieldType> fields) {
            this.type = typeName(fields);
            this.fields = new LinkedHashMap<>(fields);
        }

        /** The binary type of the records. */
        public String type() {
            return type;
        }

        /**
         * Registers the record type's fields and their types with Ignite, cluster-wide; from then on Ignite refuses a
         * value of this type whose field has another type (a {@code float[]} vector, a string price), whoever writes
         * it. Registering again changes nothing.
         */
        public void register(IgniteBinary binary) {
            BinaryObjectBuilder builder = binary.builder(type)
                    .setField(VECTOR, new byte[0], byte[].class)
                    .setField(PAYLOAD, "", String.class)
                    .setField(VERSION, 0L, Long.class);
            fields.forEach((name, fieldType) -> builder.setField(name, fieldType.sample()));
            builder.build();
        }

        /**
         * Builds a stored value: the declared fields of {@code payload} become typed fields, the rest stays JSON.
         *
         * @throws IllegalArgumentException when a declared field has a value of another type (callers check first)
         */
        public BinaryObject build(IgniteBinary binary, float[] vector, String payload, long version) {
            BinaryObjectBuilder builder = binary.builder(type)
                    .setField(VECTOR, encode(vector), byte[].class)
                    .setField(VERSION, version, Long.class);
            String rest = payload;
            if (!fields.isEmpty() && payload != null) {
                ObjectNode tree = (ObjectNode) parse(payload);
                for (Map.Entry<String, FieldType> field : fields.entrySet()) {
                    JsonNode value = tree.remove(field.getKey());
                    if (value == null || value.isNull()) {
                        continue;
                    }
                    Object typed = field.getValue().fromJson(value);
                    if (typed == null) {
                        throw new IllegalArgumentException("payload." + field.getKey() + " must be of type "
                                + field.getValue().wireName() + ", was " + value);
                    }
                    builder.setField(field.getKey(), typed);
                }
                rest = tree.isEmpty() ? null : tree.toString();
            }
            return builder.setField(PAYLOAD, rest, String.class).build();
        }
    }

    /**
     * Returns the binary type of the records of a collection declaring {@code fields}: {@value #TYPE_PREFIX} and a hash
     * of the fields, so collections that declare a field with different types never share a type (Ignite keeps one
     * type per field of a binary type, cluster-wide and for ever).
     */
    public static String typeName(Map<String, FieldType> fields) {
        StringBuilder canonical = new StringBuilder("1");
        new TreeMap<>(fields).forEach((field, type) -> canonical.append(';').append(field).append(':')
                .append(type.wireName()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(
                    StandardCharsets.UTF_8));
            return TYPE_PREFIX + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Returns why a stored value cannot be read as a record, or null when it can: a foreign writer (a thin client,
     * SQL) may store another type, or a record type whose fields have other types.
     */
    public static String shapeProblem(Object value) {
        if (!(value instanceof BinaryObject record)) {
            return "it is a " + (value == null ? "null" : value.getClass().getSimpleName()) + ", not a record";
        }
        String type = record.type().typeName();
        if (!type.startsWith(TYPE_PREFIX)) {
            return "it is a " + type + ", not a " + TYPE_PREFIX + "* record";
        }
        Object vector = record.field(VECTOR);
        if (!(vector instanceof byte[] bytes)) {
            return "its vector is " + (vector == null ? "missing" : "not a byte[]");
        }
        if (bytes.length % Float.BYTES != 0) {
            return "its vector has " + bytes.length + " bytes, not a multiple of 4 (little-endian floats)";
        }
        Object payload = record.field(PAYLOAD);
        if (payload != null && !(payload instanceof String)) {
            return "its payload is not a string";
        }
        Object version = record.field(VERSION);
        return version == null || version instanceof Long ? null : "its version is not a long";
    }

    /** The version and whole payload JSON (or null) of a stored record. */
    public record Head(long version, String payload) {}

    /**
     * Returns the version and payload of a stored record without reading its vector, or null when the value is not
     * one or those two fields have other types ({@link #shapeProblem} says why).
     */
    public static Head head(Object value) {
        if (value instanceof BinaryObject record && record.type().typeName().startsWith(TYPE_PREFIX)) {
            Object payload = record.field(PAYLOAD);
            Object version = record.field(VERSION);
            if ((payload == null || payload instanceof String) && (version == null || version instanceof Long)) {
                return new Head(version == null ? 0 : (Long) version, payload(record));
            }
        }
        return null;
    }

    /** Returns the vector of a stored value, or null when a foreign writer left it out. */
    public static float[] vector(BinaryObject value) {
        byte[] bytes = value.field(VECTOR);
        return bytes == null ? null : decode(bytes);
    }

    /** Returns the whole payload JSON of a stored value (declared fields included), or null when it has none. */
    public static String payload(BinaryObject value) {
        String json = value.field(PAYLOAD);
        if (PLAIN_TYPE.equals(value.type().typeName())) {
            return json;
        }
        ObjectNode tree = null;
        for (String field : value.type().fieldNames()) {
            if (field.equals(VECTOR) || field.equals(PAYLOAD) || field.equals(VERSION)) {
                continue;
            }
            Object stored = value.field(field);
            if (stored != null) {
                if (tree == null) {
                    tree = json == null ? JSON.createObjectNode() : parse(json) instanceof ObjectNode o ? o
                            : JSON.createObjectNode();
                }
                tree.set(field, FieldType.toJson(stored));
            }
        }
        return tree == null ? json : tree.toString();
    }

    /** Returns the version of a stored value (0 when a foreign writer left it out). */
    public static long version(BinaryObject value) {
        Long version = value.field(VERSION);
        return version == null ? 0 : version;
    }

    /** Returns the version of a stored record (0 when it has none), or -1 when the value is not a record. */
    public static long versionOf(Object value) {
        if (value instanceof BinaryObject record && record.type().typeName().startsWith(TYPE_PREFIX)) {
            Object version = record.field(VERSION);
            return version == null ? 0 : version instanceof Long stored ? stored : -1;
        }
        return -1;
    }

    /**
     * Returns the version of the next write after {@code previous}: larger than it, and taken from the clock (in
     * microseconds) when that is larger, so a record deleted and written again never reuses an old version.
     *
     * @throws ArithmeticException when {@code previous} is {@link Long#MAX_VALUE}
     */
    public static long next(long previous) {
        // A version a writer outside Gridvec set to Long.MAX_VALUE cannot grow: the write fails rather than go back.
        return Math.max(Math.addExact(previous, 1), System.currentTimeMillis() * 1_000);
    }

    /** The stored form of a vector: its floats in little-endian order. */
    public static byte[] encode(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }

    private static float[] decode(byte[] bytes) {
        float[] vector = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // Text a foreign writer stored: read as a payload with no members of its own.
            return JSON.createObjectNode();
        }
    }
}
