package io.gridvec.shard.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.index.vector.Metric;
import io.gridvec.shard.layout.FieldType;
import io.gridvec.shard.layout.RecordValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a collection is: its vectors' dimension and metric, how its cache is partitioned and replicated, its HNSW
 * parameters, how long its records live after their last write ({@code ttlSeconds}, 0: for ever) and its declared
 * payload fields ({@code fields}: name to {@link FieldType} name), which are typed fields of every stored record and
 * SQL columns. Immutable; {@link #validated} checks every field, naming it and its limit.
 */
public record CollectionSpec(String name, int dimension, String metric, int partitions, int backups, Hnsw hnsw,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long ttlSeconds,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> fields) {

    /** The longest time to live: ten years. */
    public static final long MAX_TTL_SECONDS = 10L * 365 * 24 * 3600;
    /** The most payload fields a collection may declare. */
    public static final int MAX_FIELDS = 64;
    /** The rule every declared field's name follows (it is also a SQL column name). */
    public static final String FIELD_RULE = "^[a-z][a-z0-9_]{0,62}$";
    /** Names a declared field may not take: the columns every record has. */
    public static final Set<String> RESERVED_FIELDS = Set.of("id", "vector", "payload", "version");
    private static final Pattern FIELD = Pattern.compile(FIELD_RULE);

    /** Keeps the declared fields in name order (so equal specs print alike); none when absent. */
    public CollectionSpec {
        fields = fields == null || fields.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(fields));
    }

    /** A collection whose records live for ever, without declared fields. */
    public CollectionSpec(String name, int dimension, String metric, int partitions, int backups, Hnsw hnsw) {
        this(name, dimension, metric, partitions, backups, hnsw, 0, null);
    }

    /** The largest partition count: each partition keeps its own HNSW index on every owner. */
    public static final int MAX_PARTITIONS = 1_024;
    /** The most backups a collection may ask for. */
    public static final int MAX_BACKUPS = 3;
    /** The rule every collection name follows: it is also the Ignite cache name's suffix and a SQL table name. */
    public static final String NAME_RULE = "^[a-z][a-z0-9_-]{0,62}$";
    private static final Pattern NAME = Pattern.compile(NAME_RULE);

    /** Returns whether {@code name} follows {@link #NAME_RULE}; false for null. */
    public static boolean validName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** HNSW parameters: M and efConstruction. */
    public record Hnsw(int m, int efConstruction) {}

    /**
     * Returns this spec with defaults filled in (partitions 16, backups 1, the index's M and efConstruction) and
     * every field checked.
     *
     * @throws InvalidSpecException naming the first invalid field and its limit
     */
    public CollectionSpec validated() {
        if (!validName(name)) {
            throw new InvalidSpecException("name", "name must match " + NAME.pattern() + ", was '" + name + "'");
        }
        if (dimension < 1 || dimension > HnswIndex.MAX_DIMENSION) {
            throw new InvalidSpecException("dimension",
                    "dimension must be in [1, " + HnswIndex.MAX_DIMENSION + "], was " + dimension);
        }
        Metric parsed;
        try {
            parsed = Metric.parse(metric);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("metric", e.getMessage());
        }
        int p = partitions == 0 ? 16 : partitions;
        if (p < 1 || p > MAX_PARTITIONS) {
            throw new InvalidSpecException("partitions",
                    "partitions must be in [1, " + MAX_PARTITIONS + "], was " + partitions);
        }
        if (backups < 0 || backups > MAX_BACKUPS) {
            throw new InvalidSpecException("backups", "backups must be in [0, " + MAX_BACKUPS + "], was " + backups);
        }
        int m = hnsw == null || hnsw.m() == 0 ? HnswIndex.DEFAULT_M : hnsw.m();
        int efConstruction = hnsw == null || hnsw.efConstruction() == 0 ? HnswIndex.DEFAULT_EF_CONSTRUCTION
                : hnsw.efConstruction();
        try {
            // The index's builder owns the limits; a one-dimension index is enough to check them.
            HnswIndex.builder(1, parsed).m(m).efConstruction(efConstruction).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(e.getMessage().startsWith("m ") ? "hnsw.m" : "hnsw.efConstruction",
                    "hnsw." + e.getMessage());
        }
        if (ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS) {
            throw new InvalidSpecException("ttlSeconds", "ttlSeconds must be in [0, " + MAX_TTL_SECONDS
                    + "] (0: records live for ever), was " + ttlSeconds);
        }
        if (fields.size() > MAX_FIELDS) {
            throw new InvalidSpecException("fields", "at most " + MAX_FIELDS + " fields may be declared, were "
                    + fields.size());
        }
        for (Map.Entry<String, String> field : fields.entrySet()) {
            String at = "fields." + field.getKey();
            if (!FIELD.matcher(field.getKey()).matches() || RESERVED_FIELDS.contains(field.getKey())) {
                throw new InvalidSpecException(at, "a declared field's name must match " + FIELD_RULE + " and not be"
                        + " one of " + new TreeSet<>(RESERVED_FIELDS) + ", was '"
                        + field.getKey() + "'");
            }
            if (FieldType.parse(field.getValue()) == null) {
                throw new InvalidSpecException(at, at + " must be one of string, int, long, double, boolean, was "
                        + (field.getValue() == null ? "null" : "'" + field.getValue() + "'"));
            }
        }
        return new CollectionSpec(name, dimension, parsed.wireName(), p, backups, new Hnsw(m, efConstruction),
                ttlSeconds, fields);
    }

    /** Returns the declared fields with their types, in name order. */
    public Map<String, FieldType> fieldTypes() {
        Map<String, FieldType> types = new LinkedHashMap<>();
        fields.forEach((field, type) -> types.put(field, FieldType.parse(type)));
        return types;
    }

    /** Returns how this collection's records are stored: their binary type and typed fields. */
    public RecordValue.Layout layout() {
        return new RecordValue.Layout(fieldTypes());
    }

    /** Returns the SQL table of this collection in schema {@code GRIDVEC}: its name in capitals. */
    public String sqlTable() {
        return name.toUpperCase(Locale.ROOT);
    }

    /** Returns the Ignite cache holding this collection's records. */
    public String cacheName() {
        return cacheName(name);
    }

    /** Returns the Ignite cache of the collection {@code name}. */
    public static String cacheName(String name) {
        return "gv_" + name;
    }
}
