package io.gridvec.router.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Integer fields: only a JSON integer in range passes; everything else is refused naming field, range and value. */
class IntegerFieldTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void floatsStringsBooleansAndHugeNumbersAreRefusedNotTruncated() throws Exception {
        Map<String, String> refused = Map.of(
                "1.5", "1.5", "1.0", "1.0", "\"3\"", "\"3\"", "true", "true", "1e400", "Infinity",
                "99999999999", "99999999999", "0", "0", "10001", "10001", "[1]", "[1]", "{}", "{}");
        for (Map.Entry<String, String> value : refused.entrySet()) {
            JsonNode node = JSON.readTree(value.getKey());
            assertThatThrownBy(() -> IntegerField.optional(node, "k", 1, 10_000)).as(value.getKey())
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("k");
                        assertThat(e.getMessage()).isEqualTo("k must be an integer in [1, 10000], was "
                                + value.getValue());
                    });
        }
    }

    @Test
    void anIntegerInRangeIsReadAndAbsentOrNullIsNull() throws Exception {
        assertThat(IntegerField.optional(JSON.readTree("7"), "k", 1, 10)).isEqualTo(7);
        assertThat(IntegerField.optional(JSON.readTree("null"), "k", 1, 10)).isNull();
        assertThat(IntegerField.optional(null, "k", 1, 10)).isNull();
    }

    @Test
    void aRequiredFieldThatIsMissingIsNamed() {
        assertThatThrownBy(() -> IntegerField.required(null, "dimension", 1, 65_536))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("dimension is required: an integer in [1, 65536]"));
    }

    @Test
    void aLongValueIsShortenedInTheMessage() throws Exception {
        JsonNode node = JSON.readTree("\"" + "x".repeat(1_000) + "\"");
        assertThatThrownBy(() -> IntegerField.optional(node, "k", 1, 10))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(100));
    }
}
