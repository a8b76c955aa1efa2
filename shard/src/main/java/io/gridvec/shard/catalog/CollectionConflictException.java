package io.gridvec.shard.catalog;

/** A create request for a collection that exists with a different spec. */
public final class CollectionConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient CollectionSpec existing;

    CollectionConflictException(String name, CollectionSpec existing) {
        super("collection '" + name + "' exists with a different spec");
        this.existing = existing;
    }

    /** Returns the spec the collection has. */
    public CollectionSpec existing() {
        return existing;
    }
}
