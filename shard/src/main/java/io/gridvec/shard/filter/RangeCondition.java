package io.gridvec.shard.filter;

import java.math.BigDecimal;

/** {@code range}: a numeric field within every given bound (null bounds are absent); other types fail. Immutable. */
final class RangeCondition extends FieldCondition {

    private final FilterNumber gt;
    private final FilterNumber gte;
    private final FilterNumber lt;
    private final FilterNumber lte;

    RangeCondition(String[] path, FilterNumber gt, FilterNumber gte, FilterNumber lt, FilterNumber lte) {
        super(path);
        this.gt = gt;
        this.gte = gte;
        this.lt = lt;
        this.lte = lte;
    }

    /**
     * The lowest number this range may admit, as a double, inclusive (rounding can only widen it), or -infinity
     * when it has no lower bound.
     */
    double lowest() {
        return Math.max(bound(gt, Double.NEGATIVE_INFINITY), bound(gte, Double.NEGATIVE_INFINITY));
    }

    /** The highest number this range may admit, as {@link #lowest} for the upper bound. */
    double highest() {
        return Math.min(bound(lt, Double.POSITIVE_INFINITY), bound(lte, Double.POSITIVE_INFINITY));
    }

    private static double bound(FilterNumber bound, double none) {
        if (bound == null) {
            return none;
        }
        return bound.kind == FilterNumber.Kind.BIG ? bound.big.doubleValue() : bound.doubleValue;
    }

    @Override
    boolean testString(String value) {
        return false;
    }

    @Override
    boolean testBoolean(boolean value) {
        return false;
    }

    @Override
    boolean testLong(long value) {
        return (gt == null || gt.compareLong(value) > 0) && (gte == null || gte.compareLong(value) >= 0)
                && (lt == null || lt.compareLong(value) < 0) && (lte == null || lte.compareLong(value) <= 0);
    }

    @Override
    boolean testDouble(double value) {
        return (gt == null || gt.compareDouble(value) > 0) && (gte == null || gte.compareDouble(value) >= 0)
                && (lt == null || lt.compareDouble(value) < 0) && (lte == null || lte.compareDouble(value) <= 0);
    }

    @Override
    boolean testBig(BigDecimal value) {
        return (gt == null || gt.compareBig(value) > 0) && (gte == null || gte.compareBig(value) >= 0)
                && (lt == null || lt.compareBig(value) < 0) && (lte == null || lte.compareBig(value) <= 0);
    }
}
