package io.gridvec.shard.search;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One query of a search job, validated by the router: the vector, how many hits, the beam width (0 = the index
 * default), a payload filter as JSON (or null), whether to search exactly, and what to attach to hits. Immutable;
 * equal when every field is (the vector element by element), so it can key a cache of answers.
 */
public final class SearchQuery implements Serializable {

    private static final long serialVersionUID = 1L;

    private final float[] vector;
    private final int k;
    private final int ef;
    private final String filter;
    private final boolean exact;
    private final boolean includePayload;
    private final boolean includeVector;

    /** Creates a query; {@code filter} is the JSON of a {@link io.gridvec.shard.filter.PayloadFilter} or null. */
    public SearchQuery(float[] vector, int k, int ef, String filter, boolean exact, boolean includePayload,
            boolean includeVector) {
        this.vector = vector;
        this.k = k;
        this.ef = ef;
        this.filter = filter;
        this.exact = exact;
        this.includePayload = includePayload;
        this.includeVector = includeVector;
    }

    /** Returns this query searched exactly (every record compared), with nothing attached to the hits. */
    public SearchQuery exactly() {
        return new SearchQuery(vector, k, ef, filter, true, false, false);
    }

    /** Returns whether the query asks for an exact search (no index). */
    public boolean isExact() {
        return exact;
    }

    float[] vector() {
        return vector;
    }

    /** Returns how many hits the query asks for. */
    public int k() {
        return k;
    }

    int ef() {
        return ef;
    }

    String filter() {
        return filter;
    }

    boolean exact() {
        return exact;
    }

    boolean includePayload() {
        return includePayload;
    }

    boolean includeVector() {
        return includeVector;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SearchQuery that && k == that.k && ef == that.ef && exact == that.exact
                && includePayload == that.includePayload && includeVector == that.includeVector
                && Objects.equals(filter, that.filter) && Arrays.equals(vector, that.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(vector), k, ef, filter, exact, includePayload, includeVector);
    }
}
