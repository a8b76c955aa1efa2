package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node as users run it: {@code ./gridvec start} in its own process (the jars of this build), driven over HTTP,
 * stopped with SIGTERM and started again on the same data.
 */
class LauncherIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUEST_ID = "launcher-it-create";

    @TempDir
    Path workDir;

    @Test
    void startedNodeServesRecordsAndSearchAndKeepsThemAcrossARestart() throws Exception {
        int[] ports = TestNodes.freePorts(4);
        int rest = ports[0];
        Process node = start(ports, "");
        try {
            awaitHealthy(rest, node);
            assertThat(heapMaxMib(rest)).as("the launcher's default heap").isEqualTo(512);
            HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + rest + "/v1/collections/docs")).header("X-Request-Id", REQUEST_ID)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"dimension\": 2, \"metric\": \"l2\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(TestNodes.http(rest, "PUT", "/v1/collections/docs/records", "{\"records\": ["
                    + "{\"id\": \"a\", \"vector\": [0, 0], \"payload\": {\"t\": 1}},"
                    + "{\"id\": \"b\", \"vector\": [5, 5]}, {\"id\": \"c\", \"vector\": [9, 9]}]}").statusCode())
                    .isEqualTo(200);
            assertThat(json(TestNodes.http(rest, "GET", "/v1/collections/docs/records/a", null)).path("payload").path("t")
                    .asInt()).isEqualTo(1);
            assertThat(firstHit(rest, "[4, 4]")).isEqualTo("b");
            assertThat(TestNodes.http(rest, "DELETE", "/v1/collections/docs/records/b", null).statusCode()).isEqualTo(200);
            assertThat(firstHit(rest, "[4, 4]")).isEqualTo("a");
        } finally {
            stop(node);
        }
        assertThat(Files.isDirectory(workDir.resolve("data"))).as("data in ./data of the caller").isTrue();
        jsonLogHasTheRequestIdAndIgnitesLines(workDir.resolve("data/logs/gridvec.json"));

        Process restarted = start(ports, "-Xmx384m");
        try {
            awaitHealthy(rest, restarted);
            assertThat(heapMaxMib(rest)).as("GRIDVEC_JAVA_OPTS overrides the default heap").isEqualTo(384);
            JsonNode docs = json(TestNodes.http(rest, "GET", "/v1/collections/docs", null));
            assertThat(docs.path("count").asInt()).isEqualTo(2);
            // The SIGTERM stop wrote a snapshot of every shard that ever held records; the restart loaded them.
            int restored = 0;
            for (JsonNode partition : docs.path("partitionStates")) {
                JsonNode shard = partition.path("shards").get(0);
                if (shard.path("records").asInt() > 0) {
                    assertThat(shard.path("builtFrom").asText()).as(partition.toString()).isEqualTo("snapshot");
                    restored++;
                }
            }
            assertThat(restored).isPositive();
            assertThat(firstHit(rest, "[8, 8]")).isEqualTo("c");
            assertThat(TestNodes.http(rest, "GET", "/v1/collections/docs/records/b", null).statusCode()).isEqualTo(404);
        } finally {
            stop(restarted);
        }
    }

    private Process start(int[] ports, String javaOpts) throws IOException {
        return NodeProcesses.launchWithJavaOpts(javaOpts, workDir, workDir.resolve("node.log"), "start",
                "--rest-port", String.valueOf(ports[0]), "--discovery-port", String.valueOf(ports[1]),
                "--communication-port", String.valueOf(ports[2]), "--client-port", String.valueOf(ports[3]));
    }

    private void awaitHealthy(int rest, Process node) {
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(node.isAlive()).as(() -> "node exited: " + log()).isTrue();
                    return TestNodes.http(rest, "GET", "/health", null).statusCode() == 200;
                });
    }

    private void stop(Process node) throws Exception {
        node.destroy(); // SIGTERM: the node stops gracefully
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as(this::log).isTrue();
        assertThat(log()).contains("Gridvec node gridvec-1 stopped.");
    }

    /**
     * The node's JSON log: every line is one JSON object; the line about the collection's creation carries the id of
     * the request that created it; Ignite's own lines are there too.
     */
    private static void jsonLogHasTheRequestIdAndIgnitesLines(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("message").asText()).startsWith("Created collection {\"name\":\"docs\"");
            assertThat(line.path("requestId").asText()).isEqualTo(REQUEST_ID);
            assertThat(line.path("log.level").asText()).isEqualTo("INFO");
            assertThat(line.path("@timestamp").asText()).isNotEmpty();
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.path("log.logger").asText())
                .startsWith("org.apache.ignite."));
    }

    private String log() {
        try {
            return Files.readString(workDir.resolve("node.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static long heapMaxMib(int rest) throws Exception {
        return json(TestNodes.http(rest, "GET", "/health", null)).path("process").path("heapMaxBytes").asLong()
                / (1024 * 1024);
    }

    private static String firstHit(int rest, String vector) throws Exception {
        HttpResponse<String> response = TestNodes.http(rest, "POST", "/v1/collections/docs/search",
                "{\"vector\": " + vector + ", \"k\": 1}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).path("hits").get(0).path("id").asText();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }
}
