package io.gridvec.router.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.Collection;

/**
 * Reads request bodies strictly: unknown fields, wrong types, strings where numbers belong, floats where integers
 * belong, bodies nested deeper than {@link #MAX_DEPTH} or with numbers longer than {@link #MAX_NUMBER_LENGTH} digits,
 * and malformed JSON are all refused with a 400 naming the field's path (such as {@code records[3].vector[7]}).
 * Thread-safe.
 */
public final class JsonBody {

    /** The deepest nesting of arrays and objects in a body (a payload may use {@code MAX_PAYLOAD_DEPTH} of it). */
    public static final int MAX_DEPTH = 64;
    /** The most characters of one JSON number. */
    public static final int MAX_NUMBER_LENGTH = 100;

    /**
     * Buffers are recycled through a shared pool, not Jackson's default per-thread one: requests run on virtual
     * threads, which live for one request, so per-thread buffers were allocated anew for every body. The read
     * constraints bound the parser's recursion, so a deeply nested body is a 400, not a stack overflow.
     */
    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // Without these, a number or boolean where a string belongs became its text: {"name": 5} took snapshot "5".
            .withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private JsonBody() {}

    /**
     * Parses {@code body} as {@code type}.
     *
     * @param known the accepted fields, named in the message about an unknown one
     * @throws ApiException 400 naming the field at fault
     */
    public static <T> T parse(String body, Class<T> type, String known) {
        if (body == null || body.isBlank()) {
            throw ApiException.invalid(null, "the body must be a JSON object (fields: " + known + ")");
        }
        T parsed;
        try {
            parsed = STRICT.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw ApiException.invalid(field, "unknown field '" + field + "' (known: " + known + ")");
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamConstraintsException limit) {
                throw tooComplex(limit);
            }
            String field = path(e);
            throw ApiException.invalid(field.isEmpty() ? null : field,
                    (field.isEmpty() ? "the body" : field) + " has the wrong type or shape" + expected(e));
        } catch (StreamConstraintsException e) {
            throw tooComplex(e);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (parsed == null) { // the body was JSON null, which Jackson reads as no object at all
            throw ApiException.invalid(null, "the body must be a JSON object (fields: " + known + "), was null");
        }
        return parsed;
    }

    /**
     * Refuses any body: for endpoints that take none, so that a request they do not understand changes nothing.
     *
     * @throws ApiException 400 when {@code body} is not empty
     */
    public static void requireNone(String body, String endpoint) {
        if (body != null && !body.isEmpty()) {
            throw ApiException.invalid(null, endpoint + " takes no body, had " + body.length() + " characters");
        }
    }

    /** Returns a tree as JSON text. */
    public static String write(Object value) {
        try {
            return STRICT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a value cannot be written as JSON", e);
        }
    }

    /** Returns stored JSON text as a tree to embed in a response, or null for null. */
    public static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return STRICT.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }

    private static ApiException tooComplex(StreamConstraintsException e) {
        return ApiException.invalid(null, "the body must nest at most " + MAX_DEPTH + " levels of arrays and objects "
                + "and hold numbers of at most " + MAX_NUMBER_LENGTH + " characters: " + e.getOriginalMessage());
    }

    /** Names the expected JSON type for the common targets (empty when none is worth naming). */
    private static String expected(JsonMappingException e) {
        if (!(e instanceof MismatchedInputException mismatch) || mismatch.getTargetType() == null) {
            return "";
        }
        Class<?> target = mismatch.getTargetType();
        if (target == Boolean.class || target == boolean.class) {
            return ": must be true or false";
        }
        if (target == String.class) {
            return ": must be a string";
        }
        if (target == float.class || target == Float.class) {
            return ": must be a number";
        }
        if (target == float[].class) {
            return ": must be an array of numbers";
        }
        if (Collection.class.isAssignableFrom(target)) {
            return ": must be an array";
        }
        return target.isRecord() ? ": must be a JSON object" : "";
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
