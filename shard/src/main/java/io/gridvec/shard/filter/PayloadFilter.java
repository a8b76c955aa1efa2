package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A boolean filter over a record's JSON payload, {@code must} / {@code should} / {@code must_not} of {@code eq},
 * {@code in} and {@code range} conditions on dotted field paths, immutable and thread-safe once parsed.
 */
public final class PayloadFilter {

    private final FilterClause root;

    private PayloadFilter(FilterClause root) {
        this.root = root;
    }

    /**
     * Parses and validates {@code filter} (nesting depth at most 4, at most 64 clauses, 1 to 1024 {@code in} values,
     * field paths of at most 256 characters, no unknown keys); the node is not kept.
     *
     * @throws InvalidFilterException naming the first invalid field, from {@code filter}, and its limit
     */
    public static PayloadFilter parse(JsonNode filter) {
        return new PayloadFilter(FilterParser.parse(filter));
    }

    /**
     * Returns whether {@code payload} passes this filter, reading a null, missing or non-object payload as one with no
     * fields; thread-safe while nobody mutates {@code payload}, and allocation-free for ordinary JSON numbers.
     */
    public boolean matches(JsonNode payload) {
        return root.matches(payload);
    }

    /** The parsed filter. */
    FilterClause root() {
        return root;
    }
}
