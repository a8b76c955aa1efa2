package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collection endpoints over real HTTP on a real persistent node, across a restart. */
class CollectionApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void collectionsAreCreatedIdempotentlyListedCountedKeptAcrossRestartAndDeleted() throws Exception {
        GridvecConfig config = TestNodes.config(dataDir, "it-collections", 1);
        try (GridNode node = GridNode.start(config)) {
            HttpResponse<String> created = TestNodes.http(node, "PUT", "/v1/collections/docs",
                    "{\"dimension\": 4, \"metric\": \"cosine\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode spec = JSON.readTree(created.body());
            assertThat(spec.path("partitions").asInt()).isEqualTo(16);
            assertThat(spec.path("backups").asInt()).isEqualTo(1);
            assertThat(spec.path("hnsw").path("m").asInt()).isEqualTo(24);
            assertThat(spec.path("hnsw").path("efConstruction").asInt()).isEqualTo(100);

            assertThat(TestNodes.http(node, "PUT", "/v1/collections/docs",
                    "{\"dimension\": 4, \"metric\": \"cosine\", \"partitions\": 16}").statusCode()).isEqualTo(200);
            HttpResponse<String> conflict = TestNodes.http(node, "PUT", "/v1/collections/docs",
                    "{\"dimension\": 8, \"metric\": \"cosine\"}");
            assertThat(conflict.statusCode()).isEqualTo(409);
            assertThat(error(conflict).path("message").asText())
                    .isEqualTo("collection 'docs' exists with a different spec: it has dimension 4");

            node.ignite().cache("gv_docs").put("r1", "a record");
            JsonNode described = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body());
            assertThat(described.path("count").asLong()).isEqualTo(1);
            assertThat(described.path("metric").asText()).isEqualTo("cosine");
        }
        try (GridNode node = GridNode.start(config)) {
            JsonNode list = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections", null).body());
            assertThat(list.path("collections")).hasSize(1);
            assertThat(list.path("collections").get(0).path("name").asText()).isEqualTo("docs");
            JsonNode described = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body());
            assertThat(described.path("count").asLong()).isEqualTo(1);

            assertThat(TestNodes.http(node, "DELETE", "/v1/collections/docs", null).statusCode()).isEqualTo(200);
            assertThat(TestNodes.http(node, "GET", "/v1/collections/docs", null).statusCode()).isEqualTo(404);
            assertThat(TestNodes.http(node, "DELETE", "/v1/collections/docs", null).statusCode()).isEqualTo(404);
            assertThat(node.ignite().cache("gv_docs")).isNull();
        }
    }

    @Test
    void badCreateRequestsAnswer400NamingTheFieldAndCreateNothing() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-bad", 1))) {
            assertBad(node, "Bad!", "{\"dimension\": 4, \"metric\": \"l2\"}", "name");
            assertBad(node, "docs", "{\"dimension\": 0, \"metric\": \"l2\"}", "dimension");
            assertBad(node, "docs", "{\"metric\": \"l2\"}", "dimension");
            assertBad(node, "docs", "{\"dimension\": 4, \"metric\": \"hamming\"}", "metric");
            assertBad(node, "docs", "{\"dimension\": 4, \"metric\": \"l2\", \"partitions\": 5000}", "partitions");
            assertBad(node, "docs", "{\"dimension\": 4, \"metric\": \"l2\", \"backups\": -1}", "backups");
            assertBad(node, "docs", "{\"dimension\": 4, \"metric\": \"l2\", \"hnsw\": {\"m\": 1}}", "hnsw.m");
            assertBad(node, "docs", "{\"dimensions\": 4, \"metric\": \"l2\"}", "dimensions");
            assertBad(node, "docs", "{\"dimension\": \"four\", \"metric\": \"l2\"}", "dimension");
            assertBad(node, "docs", "{\"dimension\": 4,", null);
            JsonNode list = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections", null).body());
            assertThat(list.path("collections")).isEmpty();
        }
    }

    private static void assertBad(GridNode node, String name, String body, String field) throws Exception {
        HttpResponse<String> response = TestNodes.http(node, "PUT", "/v1/collections/" + name, body);
        assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
        JsonNode error = error(response);
        assertThat(error.path("code").asText()).isEqualTo("INVALID_ARGUMENT");
        if (field == null) {
            assertThat(error.has("field")).as(response.body()).isFalse();
        } else {
            assertThat(error.path("field").asText()).as(response.body()).isEqualTo(field);
        }
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error");
    }
}
