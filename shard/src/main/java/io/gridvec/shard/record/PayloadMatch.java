package io.gridvec.shard.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.shard.filter.PayloadFilter;
import io.gridvec.shard.layout.RecordValue;
import org.apache.ignite.lang.IgniteBiPredicate;

/**
 * A scan filter that runs where the records are: admits the entries that are records (a string key, a
 * {@value RecordValue#TYPE} value) whose payload passes a filter (every record when there is none). Carries the filter
 * as JSON and parses it once per node. Serializable; thread-safe once parsed.
 */
final class PayloadMatch implements IgniteBiPredicate<Object, Object> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String filterJson;
    private transient volatile PayloadFilter filter;

    /** Admits the records whose payload passes {@code filterJson} (validated by the caller), or every record. */
    PayloadMatch(String filterJson) {
        this.filterJson = filterJson;
    }

    @Override
    public boolean apply(Object key, Object value) {
        if (!(key instanceof String)) {
            return false;
        }
        RecordValue.Head head = RecordValue.head(value);
        if (head == null) {
            return false;
        }
        if (filterJson == null) {
            return true;
        }
        try {
            JsonNode payload = head.payload() == null ? null : JSON.readTree(head.payload());
            return filter().matches(payload);
        } catch (JsonProcessingException e) {
            // A payload Gridvec did not write (Gridvec stores only valid JSON) is read as one with no fields.
            return filter().matches(null);
        }
    }

    private PayloadFilter filter() {
        PayloadFilter parsed = filter;
        if (parsed == null) {
            try {
                parsed = PayloadFilter.parse(JSON.readTree(filterJson));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the filter was checked before the scan: " + filterJson, e);
            }
            filter = parsed;
        }
        return parsed;
    }
}
