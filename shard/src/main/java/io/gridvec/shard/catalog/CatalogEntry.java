package io.gridvec.shard.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.UUID;

/**
 * One value of the catalog cache, stored as JSON: a collection's spec and where its lifecycle stands. While an entry
 * is {@code CREATING} or {@code DELETING}, its {@code owner} (the runtime id of a node) and {@code step} (one request's
 * or repair's turn on that node) are the only actor allowed to create or destroy the collection's cache; an
 * {@code ACTIVE} entry has neither. Immutable.
 *
 * @param state where the collection's lifecycle stands
 * @param owner the runtime id ({@code ClusterNode.id()}) of the node doing the step; null when ACTIVE
 * @param step the id of the step on that node, unique per claim; null when ACTIVE
 * @param spec the collection's spec
 */
record CatalogEntry(State state, UUID owner, UUID step, CollectionSpec spec) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a collection's lifecycle stands; only ACTIVE collections are visible to readers. */
    enum State { CREATING, ACTIVE, DELETING }

    /** Returns the entry of a collection whose cache exists and matches its spec. */
    static CatalogEntry active(CollectionSpec spec) {
        return new CatalogEntry(State.ACTIVE, null, null, spec);
    }

    /** Returns this entry as the JSON text the catalog stores. */
    String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a catalog entry cannot be written as JSON", e);
        }
    }

    /**
     * Reads an entry from the catalog's JSON text.
     *
     * @throws IllegalStateException when the text is not an entry (the catalog was written by something else)
     */
    static CatalogEntry parse(String json) {
        CatalogEntry entry;
        try {
            entry = JSON.readValue(json, CatalogEntry.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the catalog holds an unreadable entry: " + json, e);
        }
        if (entry.state == null || entry.spec == null) {
            throw new IllegalStateException("the catalog holds an entry without state or spec: " + json);
        }
        return entry;
    }
}
