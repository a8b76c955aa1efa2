package io.gridvec.shard.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridvec.shard.layout.RecordValue;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import javax.cache.processor.MutableEntry;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Changes an existing record in one atomic step on its primary: replaces the vector when one is given and merges a
 * JSON merge patch (RFC 7386: a null member removes the key) into the payload. Returns the value it wrote (a
 * {@link BinaryObject}, so the caller answers with exactly what was stored without reading it again), or one of the
 * codes {@link #ABSENT}, {@link #PAYLOAD_TOO_LARGE} or {@link #NOT_A_RECORD} (a value written outside Gridvec) as a
 * {@link Long} without changing anything.
 */
final class PatchProcessor implements CacheEntryProcessor<String, Object, Object> {

    static final long ABSENT = -1;
    static final long PAYLOAD_TOO_LARGE = -2;
    static final long NOT_A_RECORD = -3;

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final RecordValue.Layout layout;
    private final float[] vector;
    private final String payloadPatch;
    private final int maxPayloadBytes;

    PatchProcessor(RecordValue.Layout layout, float[] vector, String payloadPatch, int maxPayloadBytes) {
        this.layout = layout;
        this.vector = vector;
        this.payloadPatch = payloadPatch;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public Object process(MutableEntry<String, Object> entry, Object... arguments) {
        if (!entry.exists()) {
            return ABSENT;
        }
        if (RecordValue.shapeProblem(entry.getValue()) != null) {
            return NOT_A_RECORD;
        }
        BinaryObject current = (BinaryObject) entry.getValue();
        String payload = RecordValue.payload(current);
        if (payloadPatch != null) {
            payload = merge(payload, payloadPatch);
            if (payload != null && payload.getBytes(StandardCharsets.UTF_8).length > maxPayloadBytes) {
                return PAYLOAD_TOO_LARGE;
            }
        }
        long version = RecordValue.next(RecordValue.version(current));
        float[] newVector = vector != null ? vector : RecordValue.vector(current);
        BinaryObject written = layout.build(ignite.binary(), newVector, payload, version);
        entry.setValue(written);
        return written;
    }

    private static String merge(String payload, String patch) {
        try {
            ObjectNode target = payload == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(payload);
            mergeInto(target, (ObjectNode) JSON.readTree(patch));
            return target.isEmpty() ? null : JSON.writeValueAsString(target);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored payload or a validated patch is not JSON", e);
        }
    }

    private static void mergeInto(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            JsonNode value = member.getValue();
            if (value.isNull()) {
                target.remove(member.getKey());
            } else if (value.isObject()) {
                ObjectNode nested = target.get(member.getKey()) instanceof ObjectNode existing ? existing
                        : target.putObject(member.getKey());
                mergeInto(nested, (ObjectNode) value);
            } else {
                target.set(member.getKey(), value);
            }
        }
    }
}
