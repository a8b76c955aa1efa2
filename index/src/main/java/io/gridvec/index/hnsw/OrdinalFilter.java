package io.gridvec.index.hnsw;

import java.util.BitSet;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * Admits or rejects records by ordinal (their internal id in one {@link HnswIndex}); used to restrict a search.
 * Implementations must be thread-safe for reading while a search runs.
 */
public interface OrdinalFilter {

    /** Returns whether the record with this ordinal may be returned. */
    boolean accepts(int ordinal);

    /**
     * Returns how many ordinals this filter accepts, or -1 when unknown; the index then counts them with one pass over
     * its live records. The count is the cost of an exact search, which the index weighs against the graph search.
     */
    default int cardinality() {
        return -1;
    }

    /** Returns the first accepted ordinal in {@code [from, limit)}, or -1. */
    default int nextAccepted(int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (accepts(i)) {
                return i;
            }
        }
        return -1;
    }

    /** Returns a filter admitting the set bits; the bit set must not change while searches use it. */
    static OrdinalFilter of(BitSet admitted) {
        Objects.requireNonNull(admitted, "admitted");
        int cardinality = admitted.cardinality();
        return new OrdinalFilter() {
            @Override
            public boolean accepts(int ordinal) {
                return admitted.get(ordinal);
            }

            @Override
            public int cardinality() {
                return cardinality;
            }

            @Override
            public int nextAccepted(int from, int limit) {
                int next = admitted.nextSetBit(from);
                return next >= 0 && next < limit ? next : -1;
            }
        };
    }

    /** Returns a filter over a predicate; its cardinality is counted by the index when a search needs it. */
    static OrdinalFilter of(IntPredicate predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return predicate::test;
    }
}
