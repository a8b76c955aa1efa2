package io.gridvec.shard.filter;

/** A payload filter the parser refuses; the message names the limit, {@link #field()} the place in the request. */
public final class InvalidFilterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidFilterException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** Returns the request field at fault, always starting with {@code filter} ({@code filter.must[2].range.gte}). */
    public String field() {
        return field;
    }
}
