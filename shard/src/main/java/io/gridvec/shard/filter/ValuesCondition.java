package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code eq} (one value) and {@code in} (several): the field equals one of the values. Values are grouped by
 * canonical type at parse time, so a test is one hash lookup or binary search and allocates nothing. Immutable.
 */
final class ValuesCondition extends FieldCondition {

    private final Set<String> strings;
    private final boolean hasTrue;
    private final boolean hasFalse;
    private final long[] longs;
    private final double[] doubles;
    private final BigDecimal[] bigs;

    /** Takes scalar nodes the parser has checked: strings, booleans and finite numbers. */
    ValuesCondition(String[] path, List<JsonNode> values) {
        super(path);
        Set<String> strings = new HashSet<>();
        boolean hasTrue = false;
        boolean hasFalse = false;
        List<FilterNumber> numbers = new ArrayList<>();
        for (JsonNode value : values) {
            if (value.isTextual()) {
                strings.add(value.textValue());
            } else if (value.isBoolean()) {
                hasTrue |= value.booleanValue();
                hasFalse |= !value.booleanValue();
            } else {
                numbers.add(FilterNumber.of(value));
            }
        }
        this.strings = Set.copyOf(strings);
        this.hasTrue = hasTrue;
        this.hasFalse = hasFalse;
        this.longs = numbers.stream().filter(n -> n.kind == FilterNumber.Kind.LONG)
                .mapToLong(n -> n.longValue).sorted().toArray();
        this.doubles = numbers.stream().filter(n -> n.kind == FilterNumber.Kind.DOUBLE)
                .mapToDouble(n -> n.doubleValue).sorted().toArray();
        this.bigs = numbers.stream().filter(n -> n.kind == FilterNumber.Kind.BIG)
                .map(n -> n.big).toArray(BigDecimal[]::new);
    }

    /** The values as {@link FieldIndex} keys them: strings, booleans, and numbers as doubles. */
    List<Object> indexKeys() {
        List<Object> keys = new ArrayList<>(strings);
        if (hasTrue) {
            keys.add(Boolean.TRUE);
        }
        if (hasFalse) {
            keys.add(Boolean.FALSE);
        }
        for (long value : longs) {
            keys.add((double) value);
        }
        for (double value : doubles) {
            keys.add(value);
        }
        for (BigDecimal value : bigs) {
            keys.add(value.doubleValue());
        }
        return keys;
    }

    @Override
    boolean testString(String value) {
        return strings.contains(value);
    }

    @Override
    boolean testBoolean(boolean value) {
        return value ? hasTrue : hasFalse;
    }

    @Override
    boolean testLong(long value) {
        return longs.length > 0 && Arrays.binarySearch(longs, value) >= 0;
    }

    @Override
    boolean testDouble(double value) {
        // Canonical doubles are never NaN or -0.0, so binarySearch's Double.compare order is numeric order.
        return doubles.length > 0 && Arrays.binarySearch(doubles, value) >= 0;
    }

    @Override
    boolean testBig(BigDecimal value) {
        for (BigDecimal big : bigs) {
            if (big.compareTo(value) == 0) {
                return true;
            }
        }
        return false;
    }
}
