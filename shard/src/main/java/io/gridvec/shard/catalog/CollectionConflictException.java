package io.gridvec.shard.catalog;

/**
 * A create or restore for a name that is taken: by a collection (with a different spec, for a create), or by an
 * Ignite cache {@code gv_<name>} that is not a Gridvec collection; or a create whose record type Ignite already
 * knows with other field types.
 */
public final class CollectionConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient CollectionSpec existing;

    CollectionConflictException(String name, CollectionSpec existing) {
        super("collection '" + name + "' exists with a different spec");
        this.existing = existing;
    }

    private CollectionConflictException(String message) {
        super(message);
        this.existing = null;
    }

    /** Returns the error for a restore of a collection that exists. */
    static CollectionConflictException exists(String name) {
        return new CollectionConflictException("collection '" + name + "' exists; drop it before restoring it from a"
                + " snapshot (Ignite restores only a cache that does not exist)");
    }

    /** Returns the error for a name whose cache exists without a catalog entry (someone else's cache). */
    static CollectionConflictException foreignCache(String name) {
        return new CollectionConflictException("an Ignite cache " + CollectionSpec.cacheName(name)
                + " exists that is not a Gridvec collection; Gridvec neither uses nor deletes it: remove it through"
                + " Ignite or choose another name than '" + name + "'");
    }

    /** Returns the error for a record type that a writer outside Gridvec registered with other field types. */
    static CollectionConflictException foreignType(String name, String type, String problem) {
        return new CollectionConflictException("the Ignite binary type " + type + " of collection '" + name
                + "''s records was registered outside Gridvec with other field types (" + problem + "); Ignite keeps "
                + "a type's fields for ever, so declare other fields");
    }

    /** Returns the spec the collection has, or null when the name is taken by a cache that is not a collection. */
    public CollectionSpec existing() {
        return existing;
    }
}
