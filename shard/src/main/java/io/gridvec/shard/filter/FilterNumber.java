package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * A finite number in canonical form, so equal values have equal forms whatever JSON type carried them: a
 * {@code long} when it is an integer in long range, else a {@code double} when one holds it exactly, else a
 * {@link BigDecimal}. {@link #big} is set for every kind, for comparisons with big values. Immutable.
 */
final class FilterNumber {

    enum Kind { LONG, DOUBLE, BIG }

    private static final double TWO_POW_63 = 0x1p63;
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    final Kind kind;
    final long longValue;
    final double doubleValue;
    final BigDecimal big;

    private FilterNumber(Kind kind, long longValue, double doubleValue, BigDecimal big) {
        this.kind = kind;
        this.longValue = longValue;
        this.doubleValue = doubleValue;
        this.big = big;
    }

    /** Returns the canonical form of a numeric node whose value is finite. */
    static FilterNumber of(JsonNode number) {
        if (number.isIntegralNumber() && number.canConvertToLong()) {
            long l = number.longValue();
            return new FilterNumber(Kind.LONG, l, l, BigDecimal.valueOf(l));
        }
        if (number.isFloatingPointNumber() && !number.isBigDecimal()) {
            double d = number.doubleValue();
            return isLongValued(d) ? new FilterNumber(Kind.LONG, (long) d, d, BigDecimal.valueOf((long) d))
                    : new FilterNumber(Kind.DOUBLE, 0, d, new BigDecimal(d));
        }
        return of(number.decimalValue());
    }

    /** Returns the canonical form of {@code value}. */
    static FilterNumber of(BigDecimal value) {
        if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0
                && (value.signum() == 0 || value.stripTrailingZeros().scale() <= 0)) {
            long l = value.longValue();
            return new FilterNumber(Kind.LONG, l, l, value);
        }
        double d = value.doubleValue();
        if (Double.isFinite(d) && new BigDecimal(d).compareTo(value) == 0) {
            return new FilterNumber(Kind.DOUBLE, 0, d, value);
        }
        return new FilterNumber(Kind.BIG, 0, Double.NaN, value);
    }

    /** Returns whether {@code d} is an integer in long range, so {@code (long) d} is exact. */
    static boolean isLongValued(double d) {
        return d >= -TWO_POW_63 && d < TWO_POW_63 && d == Math.rint(d);
    }

    /** Returns the sign of {@code x - this}. */
    int compareLong(long x) {
        return switch (kind) {
            case LONG -> Long.compare(x, longValue);
            case DOUBLE -> compareLongToDouble(x, doubleValue);
            case BIG -> BigDecimal.valueOf(x).compareTo(big);
        };
    }

    /** Returns the sign of {@code x - this}, for {@code x} not NaN. */
    int compareDouble(double x) {
        if (Double.isInfinite(x)) {
            return x > 0 ? 1 : -1;
        }
        return switch (kind) {
            case LONG -> -compareLongToDouble(longValue, x);
            case DOUBLE -> Double.compare(x, doubleValue);
            case BIG -> new BigDecimal(x).compareTo(big);
        };
    }

    /** Returns the sign of {@code x - this}. */
    int compareBig(BigDecimal x) {
        return x.compareTo(big);
    }

    /** Compares exactly, where {@code (double) l} would round above 2^53. */
    private static int compareLongToDouble(long l, double d) {
        if (d >= TWO_POW_63) {
            return -1;
        }
        if (d < -TWO_POW_63) {
            return 1;
        }
        long truncated = (long) d; // exact as a double too: it is d without its fraction
        if (l != truncated) {
            return l < truncated ? -1 : 1;
        }
        return d > truncated ? -1 : d < truncated ? 1 : 0;
    }
}
