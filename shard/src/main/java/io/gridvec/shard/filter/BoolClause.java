package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;

/** must / should / must_not over child clauses; an empty should array means the key was absent. Immutable. */
final class BoolClause implements FilterClause {

    private final FilterClause[] must;
    private final FilterClause[] should;
    private final FilterClause[] mustNot;

    BoolClause(FilterClause[] must, FilterClause[] should, FilterClause[] mustNot) {
        this.must = must;
        this.should = should;
        this.mustNot = mustNot;
    }

    /** The clauses every admitted payload matches. */
    FilterClause[] must() {
        return must;
    }

    @Override
    public boolean matches(JsonNode payload) {
        // Indexed loops: no iterator per call on the search path.
        for (int i = 0; i < must.length; i++) {
            if (!must[i].matches(payload)) {
                return false;
            }
        }
        for (int i = 0; i < mustNot.length; i++) {
            if (mustNot[i].matches(payload)) {
                return false;
            }
        }
        if (should.length == 0) {
            return true;
        }
        for (int i = 0; i < should.length; i++) {
            if (should[i].matches(payload)) {
                return true;
            }
        }
        return false;
    }
}
