package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * A condition on the value at a pre-split field path. Resolves the path, expands an array into its elements and
 * hands each scalar to the typed test of its subclass, numbers already in {@link FilterNumber}'s canonical form.
 * Immutable.
 */
abstract sealed class FieldCondition implements FilterClause permits ValuesCondition, RangeCondition {

    private final String[] path;

    FieldCondition(String[] path) {
        this.path = path;
    }

    /** The field path, split at dots. */
    final String[] path() {
        return path;
    }

    @Override
    public final boolean matches(JsonNode payload) {
        JsonNode node = payload;
        for (int i = 0; i < path.length; i++) {
            if (node == null || !node.isObject()) {
                return false;
            }
            node = node.get(path[i]);
        }
        if (node == null) {
            return false;
        }
        if (node.isArray()) {
            for (int i = 0, n = node.size(); i < n; i++) {
                if (matchesScalar(node.get(i))) {
                    return true;
                }
            }
            return false;
        }
        return matchesScalar(node);
    }

    private boolean matchesScalar(JsonNode value) {
        if (value.isTextual()) {
            return testString(value.textValue());
        }
        if (value.isBoolean()) {
            return testBoolean(value.booleanValue());
        }
        if (!value.isNumber()) {
            return false; // null, object, nested array
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return testLong(value.longValue());
        }
        if (value.isFloatingPointNumber() && !value.isBigDecimal()) {
            double d = value.doubleValue();
            if (Double.isNaN(d)) {
                return false;
            }
            return FilterNumber.isLongValued(d) ? testLong((long) d) : testDouble(d);
        }
        // BigInteger beyond long, or BigDecimal: rare (only with non-default mappers), so canonicalizing may allocate.
        FilterNumber n = FilterNumber.of(value.decimalValue());
        return switch (n.kind) {
            case LONG -> testLong(n.longValue);
            case DOUBLE -> testDouble(n.doubleValue);
            case BIG -> testBig(n.big);
        };
    }

    abstract boolean testString(String value);

    abstract boolean testBoolean(boolean value);

    /** Tests an integral number in long range. */
    abstract boolean testLong(long value);

    /** Tests a double that is not an integer in long range, and not NaN. */
    abstract boolean testDouble(double value);

    /** Tests a number neither a long nor a double holds exactly. */
    abstract boolean testBig(BigDecimal value);
}
