package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a filter's JSON into clauses, checking every limit on the way and naming the offending field from
 * {@code filter}; one instance per filter, as it counts clauses.
 *
 * <p>Wire format: a filter is an object with at least one of {@code must}, {@code should}, {@code must_not}, each a
 * non-empty array of clauses; a clause is a nested filter or a condition {@code {"field": "a.b", op}} with exactly
 * one op: {@code "eq": scalar}, {@code "in": [scalar, ...]} (1 to 1024) or {@code "range": {"gt"|"gte"|"lt"|"lte":
 * number, ...}}. A filter matches when every must clause does, at least one should clause does (if any), and no
 * must_not clause does. Numbers compare by value across JSON types (3 equals 3.0), strings and booleans exactly,
 * never across types; a field holding an array matches when any element does; a missing, null or object field, or
 * a path through a non-object (arrays included), matches no condition. Limits: nesting depth 4 (the top filter is
 * 1), 64 clauses in total (nested filters count), field paths of 256 characters with non-empty keys.
 */
final class FilterParser {

    static final int MAX_DEPTH = 4;
    static final int MAX_CLAUSES = 64;
    static final int MAX_IN_VALUES = 1_024;
    static final int MAX_PATH_LENGTH = 256;

    private static final List<String> BOOL_KEYS = List.of("must", "should", "must_not");
    private static final List<String> CONDITION_KEYS = List.of("field", "eq", "in", "range");
    private static final List<String> RANGE_KEYS = List.of("gt", "gte", "lt", "lte");
    private static final FilterClause[] NONE = {};

    private int clauses;

    private FilterParser() {}

    static FilterClause parse(JsonNode filter) {
        if (filter == null || !filter.isObject()) {
            throw new InvalidFilterException("filter", "filter must be a JSON object, was " + describe(filter));
        }
        return new FilterParser().bool(filter, "filter", 1);
    }

    private BoolClause bool(JsonNode filter, String at, int depth) {
        if (depth > MAX_DEPTH) {
            throw new InvalidFilterException(at,
                    "filter nesting depth must be at most " + MAX_DEPTH + ", was " + depth);
        }
        rejectUnknownKeys(filter, at, BOOL_KEYS);
        if (filter.isEmpty()) {
            throw new InvalidFilterException(at, "filter must have at least one of must, should, must_not");
        }
        return new BoolClause(clauses(filter, at, "must", depth), clauses(filter, at, "should", depth),
                clauses(filter, at, "must_not", depth));
    }

    private FilterClause[] clauses(JsonNode filter, String at, String key, int depth) {
        JsonNode array = filter.get(key);
        if (array == null) {
            return NONE;
        }
        String arrayAt = at + "." + key;
        if (!array.isArray() || array.isEmpty()) {
            throw new InvalidFilterException(arrayAt, key + " must be a non-empty array of clauses, was "
                    + (array.isArray() ? "empty" : describe(array)));
        }
        FilterClause[] parsed = new FilterClause[array.size()];
        for (int i = 0; i < parsed.length; i++) {
            parsed[i] = clause(array.get(i), arrayAt + "[" + i + "]", depth);
        }
        return parsed;
    }

    private FilterClause clause(JsonNode clause, String at, int depth) {
        if (++clauses > MAX_CLAUSES) {
            throw new InvalidFilterException(at,
                    "filter must have at most " + MAX_CLAUSES + " clauses in total, was at least " + clauses);
        }
        if (!clause.isObject()) {
            throw new InvalidFilterException(at,
                    "clause must be an object (a condition or a filter), was " + describe(clause));
        }
        if (CONDITION_KEYS.stream().anyMatch(clause::has)) {
            return condition(clause, at);
        }
        if (BOOL_KEYS.stream().anyMatch(clause::has)) {
            return bool(clause, at, depth + 1);
        }
        if (clause.isEmpty()) {
            throw new InvalidFilterException(at, "clause must be a condition (field with eq, in or range)"
                    + " or a filter (must, should, must_not), was empty");
        }
        String key = clause.properties().iterator().next().getKey();
        throw new InvalidFilterException(at + "." + key,
                "unknown key '" + key + "' (known: field, eq, in, range, must, should, must_not)");
    }

    private static FieldCondition condition(JsonNode condition, String at) {
        rejectUnknownKeys(condition, at, CONDITION_KEYS);
        String[] path = path(condition.get("field"), at + ".field");
        JsonNode eq = condition.get("eq");
        JsonNode in = condition.get("in");
        JsonNode range = condition.get("range");
        int operators = (eq == null ? 0 : 1) + (in == null ? 0 : 1) + (range == null ? 0 : 1);
        if (operators != 1) {
            throw new InvalidFilterException(at,
                    "condition must have exactly one of eq, in, range, had " + operators);
        }
        if (eq != null) {
            return new ValuesCondition(path, List.of(scalar(eq, at + ".eq", "eq")));
        }
        if (in != null) {
            return new ValuesCondition(path, inValues(in, at + ".in"));
        }
        return range(path, range, at + ".range");
    }

    private static String[] path(JsonNode field, String at) {
        if (field == null || !field.isTextual()) {
            throw new InvalidFilterException(at, "field must be a string, was " + describe(field));
        }
        String path = field.textValue();
        if (path.length() > MAX_PATH_LENGTH) {
            throw new InvalidFilterException(at,
                    "field must be at most " + MAX_PATH_LENGTH + " characters, was " + path.length());
        }
        List<String> keys = new ArrayList<>();
        int start = 0;
        for (int dot = path.indexOf('.'); ; dot = path.indexOf('.', start)) {
            String key = dot < 0 ? path.substring(start) : path.substring(start, dot);
            if (key.isEmpty()) {
                throw new InvalidFilterException(at,
                        "field must be dot-separated non-empty keys, was '" + path + "'");
            }
            keys.add(key);
            if (dot < 0) {
                return keys.toArray(String[]::new);
            }
            start = dot + 1;
        }
    }

    private static List<JsonNode> inValues(JsonNode in, String at) {
        if (!in.isArray() || in.isEmpty() || in.size() > MAX_IN_VALUES) {
            throw new InvalidFilterException(at, "in must be an array of 1 to " + MAX_IN_VALUES + " values, was "
                    + (in.isArray() ? in.size() + " values" : describe(in)));
        }
        List<JsonNode> values = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); i++) {
            values.add(scalar(in.get(i), at + "[" + i + "]", "in value"));
        }
        return values;
    }

    private static JsonNode scalar(JsonNode value, String at, String what) {
        if (value.isNumber()) {
            return finite(value, at, what);
        }
        if (!value.isTextual() && !value.isBoolean()) {
            throw new InvalidFilterException(at,
                    what + " must be a string, number or boolean, was " + describe(value));
        }
        return value;
    }

    private static RangeCondition range(String[] path, JsonNode range, String at) {
        if (!range.isObject()) {
            throw new InvalidFilterException(at, "range must be an object, was " + describe(range));
        }
        rejectUnknownKeys(range, at, RANGE_KEYS);
        if (range.isEmpty()) {
            throw new InvalidFilterException(at, "range must have at least one of gt, gte, lt, lte");
        }
        return new RangeCondition(path, bound(range, at, "gt"), bound(range, at, "gte"), bound(range, at, "lt"),
                bound(range, at, "lte"));
    }

    private static FilterNumber bound(JsonNode range, String at, String key) {
        JsonNode bound = range.get(key);
        if (bound == null) {
            return null;
        }
        if (!bound.isNumber()) {
            throw new InvalidFilterException(at + "." + key, key + " must be a number, was " + describe(bound));
        }
        return FilterNumber.of(finite(bound, at + "." + key, key));
    }

    private static JsonNode finite(JsonNode number, String at, String what) {
        if (number.isFloatingPointNumber() && !number.isBigDecimal() && !Double.isFinite(number.doubleValue())) {
            throw new InvalidFilterException(at, what + " must be a finite number, was " + number.doubleValue());
        }
        return number;
    }

    private static void rejectUnknownKeys(JsonNode object, String at, List<String> known) {
        for (Map.Entry<String, JsonNode> property : object.properties()) {
            if (!known.contains(property.getKey())) {
                throw new InvalidFilterException(at + "." + property.getKey(), "unknown key '" + property.getKey()
                        + "' (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private static String describe(JsonNode node) {
        return node == null ? "missing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
