package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /ready} on a node that restarts without shard snapshots: it answers 503 with the shards still building
 * while it rebuilds them from its records, then 200 once every shard is ready.
 */
class ReadinessIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Enough records that rebuilding their graphs takes seconds, far longer than the REST server takes to start. */
    private static final int RECORDS = 30_000;
    private static final int DIMENSION = 64;

    @TempDir
    Path dataDir;

    @Test
    void readyAnswers503WhileShardsBuildAnd200OnceTheyAreReady() throws Exception {
        GridvecConfig config = TestNodes.config(dataDir, "it-ready", 1);
        try (GridNode node = GridNode.start(config)) {
            send(node, "PUT", "/v1/collections/docs", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                    + "\"partitions\": 4, \"backups\": 0}", 201);
            Random random = new Random(3);
            for (int from = 0; from < RECORDS; from += 1_000) {
                send(node, "PUT", "/v1/collections/docs/records", TestNodes.randomRecords(from, 1_000, DIMENSION,
                        random, null), 200);
            }
            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200);
        }
        // Without its shard snapshots, the node rebuilds every shard from the records Ignite kept.
        Path snapshots = dataDir.resolve("it-ready").resolve("shards");
        assertThat(snapshots).as("the graceful stop wrote the shards' snapshots").isDirectory();
        try (Stream<Path> files = Files.walk(snapshots)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        try (GridNode node = GridNode.start(config)) {
            HttpResponse<String> building = TestNodes.http(node, "GET", "/ready", null);
            assertThat(building.statusCode()).as(building.body()).isEqualTo(503);
            JsonNode notReady = JSON.readTree(building.body());
            assertThat(notReady.path("status").asText()).isEqualTo("NOT_READY");
            assertThat(notReady.path("building")).as(building.body()).isNotEmpty();
            assertThat(notReady.path("shards").path("ready").asInt())
                    .isLessThan(notReady.path("shards").path("owned").asInt());

            Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200);
            JsonNode ready = JSON.readTree(send(node, "GET", "/ready", null, 200).body());
            assertThat(ready.path("status").asText()).isEqualTo("READY");
            assertThat(ready.path("building")).isEmpty();
            assertThat(ready.path("shards").path("ready").asInt()).isEqualTo(4);
            assertThat(JSON.readTree(send(node, "GET", "/v1/collections/docs", null, 200).body()).path("count")
                    .asInt()).isEqualTo(RECORDS);
        }
    }

    private static HttpResponse<String> send(GridNode node, String method, String path, String body, int status)
            throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        return response;
    }
}
