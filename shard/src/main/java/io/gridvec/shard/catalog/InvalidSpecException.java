package io.gridvec.shard.catalog;

/** A collection spec with an invalid field; the message names the field and its limit. */
public final class InvalidSpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidSpecException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** Returns the invalid field, dotted for nested ones ({@code hnsw.m}). */
    public String field() {
        return field;
    }
}
