package io.gridvec.router.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Strict body parsing: every malformed or hostile body is an {@link ApiException} 400 naming the field. */
class JsonBodyTest {

    record Body(JsonNode k, Boolean flag, float[] vector, JsonNode payload, List<String> ids) {}

    private static final String KNOWN = "k, flag, vector, payload, ids";

    @Test
    void aTenThousandDeepArrayIsRefusedNotAStackOverflow() {
        String deep = "{\"payload\": " + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        assertThatThrownBy(() -> JsonBody.parse(deep, Body.class, KNOWN)).isInstanceOfSatisfying(ApiException.class,
                e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("at most " + JsonBody.MAX_DEPTH + " levels");
                });
    }

    @Test
    void nestingUpToTheLimitIsRead() {
        int inside = JsonBody.MAX_DEPTH - 2; // the body object and the payload object take two levels
        String body = "{\"payload\": {\"a\": " + "[".repeat(inside) + "]".repeat(inside) + "}}";
        assertThat(JsonBody.parse(body, Body.class, KNOWN).payload().isObject()).isTrue();
    }

    @Test
    void nonNumericTokensAndOverlongNumbersAreRefused() {
        for (String body : List.of("{\"k\": NaN}", "{\"k\": Infinity}", "{\"vector\": [-Infinity]}",
                "{\"k\": " + "9".repeat(JsonBody.MAX_NUMBER_LENGTH + 1) + "}")) {
            assertThatThrownBy(() -> JsonBody.parse(body, Body.class, KNOWN)).as(body)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void anUnknownFieldIsNamed() {
        assertThatThrownBy(() -> JsonBody.parse("{\"kk\": 1}", Body.class, KNOWN))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.field()).isEqualTo("kk");
                    assertThat(e.getMessage()).isEqualTo("unknown field 'kk' (known: " + KNOWN + ")");
                });
    }

    @Test
    void aWrongTypeNamesTheFieldAndTheExpectedType() {
        assertThatThrownBy(() -> JsonBody.parse("{\"flag\": 1}", Body.class, KNOWN))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.field()).isEqualTo("flag");
                    assertThat(e.getMessage()).isEqualTo("flag has the wrong type or shape: must be true or false");
                });
        assertThatThrownBy(() -> JsonBody.parse("{\"vector\": [1, true]}", Body.class, KNOWN))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.field()).isEqualTo("vector[1]"));
        assertThatThrownBy(() -> JsonBody.parse("{\"ids\": \"a\"}", Body.class, KNOWN))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.getMessage()).isEqualTo("ids has the wrong type or shape: must be an array"));
    }

    record Named(String name, List<String> ids) {}

    @Test
    void aNumberOrBooleanWhereAStringBelongsIsRefusedNotTurnedIntoText() {
        for (String body : List.of("{\"name\": 5}", "{\"name\": 1.5}", "{\"name\": true}", "{\"ids\": [5]}")) {
            assertThatThrownBy(() -> JsonBody.parse(body, Named.class, "name, ids")).as(body)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
        assertThatThrownBy(() -> JsonBody.parse("{\"name\": 5}", Named.class, "name, ids"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("name has the wrong type or shape: must be a string"));
    }

    @Test
    void emptyNonJsonAndNonObjectBodiesAreRefused() {
        for (String body : List.of("", "   ", "null", " null ", "not json", "[]", "42", "{\"k\": 1} {}", "{\"k\": 1")) {
            assertThatThrownBy(() -> JsonBody.parse(body, Body.class, KNOWN)).as(body)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void requireNoneRefusesAnyBody() {
        JsonBody.requireNone("", "POST /v1/node/stop");
        assertThatThrownBy(() -> JsonBody.requireNone("{}", "POST /v1/node/stop"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage())
                        .isEqualTo("POST /v1/node/stop takes no body, had 2 characters"));
    }
}
