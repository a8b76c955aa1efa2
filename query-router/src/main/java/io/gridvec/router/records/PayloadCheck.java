package io.gridvec.router.records;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.record.RecordStore;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Checks a record's payload in a request: a JSON object of at most {@link RecordStore#MAX_PAYLOAD_BYTES} bytes as
 * JSON, nested at most {@link #MAX_DEPTH} levels, whose numbers are all finite (JSON has no NaN or Infinity; Jackson
 * reads {@code 1e400} as Infinity and would store it as the string {@code "Infinity"}), and whose declared fields
 * (the collection's {@code fields}) have their declared types. Stateless and thread-safe.
 */
public final class PayloadCheck {

    /** The deepest nesting of objects and arrays in a payload (the payload object itself is level 1). */
    public static final int MAX_DEPTH = 32;

    private PayloadCheck() {}

    /**
     * Returns the payload as JSON text to store, or null when {@code payload} is absent or JSON null.
     *
     * @param field the request field, named in the error
     * @throws ApiException 400 naming the field (and the member at fault) and the limit
     */
    public static String check(JsonNode payload, CollectionSpec spec, String field) {
        if (payload == null || payload.isNull()) {
            return null;
        }
        if (!payload.isObject()) {
            throw ApiException.invalid(field, field + " must be a JSON object");
        }
        spec.fieldTypes().forEach((name, type) -> {
            JsonNode value = payload.get(name);
            if (value != null && !value.isNull() && type.fromJson(value) == null) {
                String at = field + "." + name;
                throw ApiException.invalid(at, at + " must be of type " + type.wireName() + " (a declared field of "
                        + "collection '" + spec.name() + "'), was " + shown(value));
            }
        });
        String json = JsonBody.write(payload);
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > RecordStore.MAX_PAYLOAD_BYTES) {
            throw ApiException.invalid(field, field + " must be at most " + RecordStore.MAX_PAYLOAD_BYTES
                    + " bytes of JSON, was " + bytes);
        }
        // After the size check, so the walk (which names each member's path) is over at most 64 KiB.
        walk(payload, field, 1);
        return json;
    }

    private static String shown(JsonNode value) {
        String text = value.toString();
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    /** Recursion is bounded: the body's nesting is at most {@link JsonBody#MAX_DEPTH}. */
    private static void walk(JsonNode node, String at, int depth) {
        if (node.isContainerNode() && depth > MAX_DEPTH) {
            throw ApiException.invalid(at, at + " nests deeper than " + MAX_DEPTH + " levels of objects and arrays");
        }
        if (node.isFloatingPointNumber() && !node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
            throw ApiException.invalid(at, at + " must be a finite number, was " + node.doubleValue());
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                walk(member.getValue(), at + "." + member.getKey(), depth + 1);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), at + "[" + i + "]", depth + 1);
            }
        }
    }
}
