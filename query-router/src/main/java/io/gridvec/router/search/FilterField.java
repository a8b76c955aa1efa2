package io.gridvec.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.shard.filter.InvalidFilterException;
import io.gridvec.shard.filter.PayloadFilter;

/** Reads the {@code filter} of a request (search, scroll, delete): the payload filter language, checked whole. */
public final class FilterField {

    private FilterField() {}

    /**
     * Returns the filter as JSON text, or null when the request sent none.
     *
     * @param prefix prepended to the field names in errors (such as {@code searches[2].}), or empty
     * @throws ApiException 400 naming the first invalid field of the filter and its limit
     */
    public static String check(JsonNode filter, String prefix) {
        if (filter == null || filter.isNull()) {
            return null;
        }
        try {
            PayloadFilter.parse(filter);
        } catch (InvalidFilterException e) {
            throw ApiException.invalid(prefix + e.field(), prefix.isEmpty() ? e.getMessage()
                    : prefix + e.getMessage());
        }
        return JsonBody.write(filter);
    }
}
