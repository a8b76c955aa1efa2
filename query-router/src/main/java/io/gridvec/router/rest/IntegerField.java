package io.gridvec.router.rest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads an integer request field from its JSON value: only a JSON integer within the field's range is accepted, so
 * {@code 1.5}, {@code 1.0}, {@code "3"}, {@code true} and {@code 1e400} are refused instead of truncated or coerced.
 * Stateless and thread-safe.
 */
public final class IntegerField {

    private static final int SHOWN_CHARS = 40;

    private IntegerField() {}

    /**
     * Returns the value of {@code field}, or null when the request left it out or sent JSON null (its default then
     * applies).
     *
     * @throws ApiException 400 naming the field, the range and the value sent, when it is not such an integer
     */
    public static Integer optional(JsonNode value, String field, int min, int max) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min
                || value.intValue() > max) {
            throw ApiException.invalid(field, field + " must be an integer in [" + min + ", " + max + "], was "
                    + shown(value));
        }
        return value.intValue();
    }

    /**
     * Returns the value of {@code field}, which the request must send.
     *
     * @throws ApiException 400 naming the field, the range and the value sent, when it is missing or not such an
     *     integer
     */
    public static int required(JsonNode value, String field, int min, int max) {
        Integer read = optional(value, field, min, max);
        if (read == null) {
            throw ApiException.invalid(field, field + " is required: an integer in [" + min + ", " + max + "]");
        }
        return read;
    }

    private static String shown(JsonNode value) {
        String text = value.isNumber() ? value.asText() : value.toString();
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "...";
    }
}
