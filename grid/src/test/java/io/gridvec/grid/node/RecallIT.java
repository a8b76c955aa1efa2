package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online recall estimate on a real node that samples every search: after each search, the node's background
 * exact search is awaited, and {@code gridvec_search_recall_estimate} must equal the recall this test computes
 * itself against exact searches, on an index built to miss (M = 4, ef = 10).
 */
class RecallIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERIES = "{collection=\"docs\"}";
    private static final int RECORDS = 3_000;
    private static final int DIMENSION = 32;
    private static final int QUERIES = 20;

    @TempDir
    Path dataDir;

    @Test
    void theEstimateIsTheRecallOfSampledSearchesAgainstExactOnes() throws Exception {
        GridvecConfig base = TestNodes.config(dataDir, "it-recall", 1);
        GridvecConfig config = base.withSearch(new GridvecConfig.Search(50, 10_000, 16, 1.0));
        try (GridNode node = GridNode.start(config)) {
            send(node, "PUT", "/v1/collections/docs", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                    + "\"partitions\": 2, \"backups\": 0, \"hnsw\": {\"m\": 4, \"efConstruction\": 10}}");
            Random random = new Random(9);
            for (int from = 0; from < RECORDS; from += 1_000) {
                StringBuilder body = new StringBuilder("{\"records\": [");
                for (int i = from; i < from + 1_000; i++) {
                    body.append(i == from ? "" : ",").append("{\"id\": \"r").append(i).append("\", \"vector\": ")
                            .append(vector(random)).append('}');
                }
                send(node, "PUT", "/v1/collections/docs/records", body.append("]}").toString());
            }
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200);

            double sum = 0;
            for (int q = 0; q < QUERIES; q++) {
                String vector = vector(random);
                Set<String> found = ids(send(node, "POST", "/v1/collections/docs/search", "{\"vector\": " + vector
                        + ", \"k\": 10, \"ef\": 10, \"cache\": false}"));
                Set<String> truth = ids(send(node, "POST", "/v1/collections/docs/search", "{\"vector\": " + vector
                        + ", \"k\": 10, \"exact\": true}"));
                found.retainAll(truth);
                sum += (double) found.size() / truth.size();
                // One sample at a time: none is dropped, so the estimate covers exactly these searches.
                double samples = q + 1;
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> metrics(node).getOrDefault("gridvec_search_recall_samples" + SERIES, 0.0)
                                == samples);
            }
            double recall = sum / QUERIES;
            Map<String, Double> metrics = metrics(node);
            assertThat(recall).as("an index built to miss").isLessThan(0.99);
            assertThat(metrics.get("gridvec_search_recall_estimate" + SERIES)).isCloseTo(recall, within(1e-9));
            assertThat(metrics).containsEntry("gridvec_search_recall_dropped_total", 0.0)
                    .containsEntry("gridvec_search_recall_failed_total", 0.0);

            // A deleted collection's estimate goes with it.
            send(node, "DELETE", "/v1/collections/docs", null);
            assertThat(metrics(node)).doesNotContainKey("gridvec_search_recall_estimate" + SERIES);
        }
    }

    private static String vector(Random random) {
        StringBuilder vector = new StringBuilder("[");
        for (int d = 0; d < DIMENSION; d++) {
            vector.append(d == 0 ? "" : ",").append(random.nextFloat());
        }
        return vector.append(']').toString();
    }

    private static Set<String> ids(HttpResponse<String> response) throws Exception {
        Set<String> ids = new HashSet<>();
        for (JsonNode hit : JSON.readTree(response.body()).path("hits")) {
            ids.add(hit.path("id").asText());
        }
        return ids;
    }

    private static Map<String, Double> metrics(GridNode node) throws Exception {
        return MetricsIT.parse(TestNodes.http(node, "GET", "/metrics", null).body());
    }

    private static HttpResponse<String> send(GridNode node, String method, String path, String body)
            throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 201);
        return response;
    }
}
