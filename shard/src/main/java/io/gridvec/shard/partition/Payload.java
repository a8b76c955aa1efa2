package io.gridvec.shard.partition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A record's payload JSON as a shard keeps it for filtering: the text, parsed on first use (outside Ignite's update
 * path) and then cached. Thread-safe.
 */
final class Payload {

    static final Payload NONE = new Payload(null);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String json;
    private volatile JsonNode parsed;

    private Payload(String json) {
        this.json = json;
    }

    static Payload of(String json) {
        return json == null ? NONE : new Payload(json);
    }

    /** Returns the length of the payload's JSON text (0 for none). */
    int chars() {
        return json == null ? 0 : json.length();
    }

    /** Returns the payload as a JSON tree, or null when the record has none. */
    JsonNode node() {
        JsonNode node = parsed;
        if (node == null && json != null) {
            try {
                node = JSON.readTree(json);
            } catch (JsonProcessingException e) {
                // A writer outside Gridvec's API stored text that is not JSON: it matches no payload condition.
                node = JSON.missingNode();
            }
            parsed = node;
        }
        return node;
    }
}
