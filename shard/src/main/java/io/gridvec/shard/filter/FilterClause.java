package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;

/** One clause of a payload filter: a nested boolean filter or a condition on one field. Immutable. */
sealed interface FilterClause permits BoolClause, FieldCondition {

    /** Returns whether {@code payload} (possibly null or not an object) satisfies this clause. */
    boolean matches(JsonNode payload);
}
