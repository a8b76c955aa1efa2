package io.gridvec.router.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.router.rest.ApiException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.record.RecordStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Payload checks: an object, finite numbers, bounded depth and size; the stored text round-trips unchanged. */
class PayloadCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CollectionSpec SPEC = new CollectionSpec("docs", 2, "l2", 1, 0, null, 0,
            Map.of("year", "int", "price", "double", "tag", "string", "big", "long", "open", "boolean")).validated();

    @Test
    void aNumberThatOverflowsToInfinityIsRefusedNotStoredAsAString() throws Exception {
        JsonNode payload = JSON.readTree("{\"a\": {\"b\": [1, 1e400]}}");
        assertThatThrownBy(() -> PayloadCheck.check(payload, SPEC, "records[2].payload"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.field()).isEqualTo("records[2].payload.a.b[1]");
                    assertThat(e.getMessage()).isEqualTo(
                            "records[2].payload.a.b[1] must be a finite number, was Infinity");
                });
    }

    @Test
    void depthIsBoundedAtTheLimit() throws Exception {
        int inner = PayloadCheck.MAX_DEPTH - 1;
        JsonNode atLimit = JSON.readTree("{\"a\": " + "[".repeat(inner) + "]".repeat(inner) + "}");
        assertThat(PayloadCheck.check(atLimit, SPEC, "payload")).isEqualTo(JSON.writeValueAsString(atLimit));
        JsonNode over = JSON.readTree("{\"a\": " + "[".repeat(inner + 1) + "]".repeat(inner + 1) + "}");
        assertThatThrownBy(() -> PayloadCheck.check(over, SPEC, "payload")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getMessage()).endsWith("nests deeper than " + PayloadCheck.MAX_DEPTH
                        + " levels of objects and arrays"));
    }

    @Test
    void sizeAndShapeAreChecked() throws Exception {
        JsonNode big = JSON.readTree("{\"s\": \"" + "x".repeat(RecordStore.MAX_PAYLOAD_BYTES) + "\"}");
        assertThatThrownBy(() -> PayloadCheck.check(big, SPEC, "payload")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.getMessage()).startsWith("payload must be at most 65536 bytes of JSON, was "));
        assertThatThrownBy(() -> PayloadCheck.check(JSON.readTree("[1]"), SPEC, "payload"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("payload"));
        assertThat(PayloadCheck.check(JSON.readTree("null"), SPEC, "payload")).isNull();
        assertThat(PayloadCheck.check(JSON.readTree("{\"n\": 123456789012345678901234567890, \"f\": -0.0}"),
                SPEC, "payload")).isEqualTo("{\"n\":123456789012345678901234567890,\"f\":-0.0}");
    }

    @Test
    void declaredFieldsMustHaveTheirTypeAndMayBeNullOrAbsent() throws Exception {
        assertThat(PayloadCheck.check(JSON.readTree("{\"year\": 2024, \"price\": 3, \"tag\": \"a\", \"big\": "
                + "9007199254740993, \"open\": false, \"other\": \"x\"}"), SPEC, "payload")).contains("\"year\":2024");
        assertThat(PayloadCheck.check(JSON.readTree("{\"year\": null}"), SPEC, "payload")).isEqualTo("{\"year\":null}");
        for (String wrong : new String[] {"{\"year\": 2024.5}", "{\"year\": 3000000000}", "{\"year\": \"2024\"}",
                "{\"price\": \"3\"}", "{\"tag\": 5}", "{\"big\": 1.0}", "{\"open\": \"true\"}", "{\"tag\": [\"a\"]}"}) {
            String field = wrong.substring(2, wrong.indexOf('"', 2));
            assertThatThrownBy(() -> PayloadCheck.check(JSON.readTree(wrong), SPEC, "records[0].payload"))
                    .as(wrong).isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.field()).isEqualTo("records[0].payload." + field);
                        assertThat(e.getMessage()).contains("a declared field of collection 'docs'");
                    });
        }
    }
}
