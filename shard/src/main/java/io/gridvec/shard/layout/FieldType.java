package io.gridvec.shard.layout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Locale;

/**
 * The type of a declared payload field: how a JSON value of the payload becomes a typed field of the stored record
 * (and a SQL column of that type), and back. A JSON null is a missing value (SQL NULL) for every type.
 */
public enum FieldType {
    STRING(String.class),
    INT(Integer.class),
    LONG(Long.class),
    DOUBLE(Double.class),
    BOOLEAN(Boolean.class);

    private final Class<?> javaType;

    FieldType(Class<?> javaType) {
        this.javaType = javaType;
    }

    /** The name a collection spec uses: {@code string}, {@code int}, {@code long}, {@code double}, {@code boolean}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The Java class of the stored field (and of Ignite's SQL column). */
    public Class<?> javaType() {
        return javaType;
    }

    /** A value of this type, to register the field's type with Ignite. */
    Object sample() {
        return switch (this) {
            case STRING -> "";
            case INT -> 0;
            case LONG -> 0L;
            case DOUBLE -> 0.0;
            case BOOLEAN -> false;
        };
    }

    /** Returns the type of {@code name}, or null when there is none of that name. */
    public static FieldType parse(String name) {
        for (FieldType type : values()) {
            if (type.wireName().equals(name)) {
                return type;
            }
        }
        return null;
    }

    /**
     * Returns the stored form of a JSON value, or null when the value does not have this type (a double for an
     * {@code int}, an integer beyond the type's range, a string for a number...). Never called with JSON null.
     */
    public Object fromJson(JsonNode value) {
        return switch (this) {
            case STRING -> value.isTextual() ? value.textValue() : null;
            case INT -> value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : null;
            case LONG -> value.isIntegralNumber() && value.canConvertToLong() ? value.longValue() : null;
            case DOUBLE -> value.isNumber() && Double.isFinite(value.doubleValue()) ? value.doubleValue() : null;
            case BOOLEAN -> value.isBoolean() ? value.booleanValue() : null;
        };
    }

    /** Returns a stored value as JSON: what a payload read back shows. */
    public static JsonNode toJson(Object stored) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (stored) {
            case String s -> nodes.textNode(s);
            case Integer i -> nodes.numberNode(i);
            case Long l -> nodes.numberNode(l);
            case Double d -> nodes.numberNode(d);
            case Float f -> nodes.numberNode(f);
            case Short s -> nodes.numberNode(s);
            case Byte b -> nodes.numberNode(b);
            case Boolean b -> nodes.booleanNode(b);
            default -> nodes.textNode(String.valueOf(stored));
        };
    }
}
