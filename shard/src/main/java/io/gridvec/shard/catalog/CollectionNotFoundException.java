package io.gridvec.shard.catalog;

/** The collection a request names does not exist, or was deleted while the request ran. */
public final class CollectionNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates the error for collection {@code name}. */
    public CollectionNotFoundException(String name) {
        super("no collection '" + name + "'");
    }
}
