package io.gridvec.router.collections;

import io.gridvec.router.rest.ApiException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.javalin.http.Context;

/**
 * Checks collection names from requests against {@link CollectionSpec#NAME_RULE} before anything looks them up, so no
 * cache name, file path or SQL statement is ever made from an unchecked name. Stateless and thread-safe.
 */
public final class CollectionNames {

    private static final int SHOWN_CHARS = 80;

    private CollectionNames() {}

    /**
     * Returns the {@code {name}} path parameter of {@code ctx}.
     *
     * @throws ApiException 400 naming the field {@code name} when it breaks the rule
     */
    public static String fromPath(Context ctx) {
        return check(ctx.pathParam("name"), "name");
    }

    /**
     * Returns {@code name} when it follows the rule.
     *
     * @throws ApiException 400 naming {@code field} when it does not
     */
    public static String check(String name, String field) {
        if (!CollectionSpec.validName(name)) {
            throw ApiException.invalid(field, field + " must match " + CollectionSpec.NAME_RULE + ", was "
                    + shown(name));
        }
        return name;
    }

    static String shown(String name) {
        if (name == null) {
            return "null";
        }
        return "'" + (name.length() <= SHOWN_CHARS ? name : name.substring(0, SHOWN_CHARS) + "...") + "' ("
                + name.length() + " characters)";
    }
}
