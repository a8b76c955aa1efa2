package io.gridvec.router.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Reads request bodies strictly: unknown fields, wrong types, strings where numbers belong and malformed JSON are
 * all refused with a 400 naming the field's path (such as {@code records[3].vector[7]}). Thread-safe.
 */
public final class JsonBody {

    /**
     * Buffers are recycled through a shared pool, not Jackson's default per-thread one: requests run on virtual
     * threads, which live for one request, so per-thread buffers were allocated anew for every body.
     */
    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
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
        try {
            return STRICT.readValue(body, type);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            throw ApiException.invalid(field, "unknown field '" + field + "' (known: " + known + ")");
        } catch (JsonMappingException e) {
            String field = path(e);
            throw ApiException.invalid(field.isEmpty() ? null : field,
                    (field.isEmpty() ? "the body" : field) + " has the wrong type or shape");
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
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
