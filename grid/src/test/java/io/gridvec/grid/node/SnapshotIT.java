package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.GridvecCommand;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Backups on a real node with persistence: a snapshot, then records changed and deleted and the collection dropped,
 * then a restore that gives back exactly the records (a checksum over every record) and the search answers of the
 * moment of the snapshot; and the refusals of the snapshot endpoints.
 */
class SnapshotIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 400;
    private static final int DIMENSION = 8;

    @TempDir
    Path dataDir;

    @Test
    void aDroppedCollectionRestoredFromASnapshotHasItsRecordsAndAnswersBack() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "snap", 1))) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                    + "\"partitions\": 8}");
            ok(node, "PUT", "/v1/collections/other", "{\"dimension\": 2, \"metric\": \"l2\"}");
            Random random = new Random(7);
            for (int from = 0; from < RECORDS; from += 100) {
                ok(node, "PUT", "/v1/collections/docs/records", batch(random, from, 100, "v1"));
            }
            String checksum = checksum(node);
            List<String> answers = searches(node);

            JsonNode created = json(send(node, "POST", "/v1/snapshots", "{\"name\": \"nightly_1\"}", 201));
            assertThat(created.path("state").asText()).isEqualTo("DONE");
            assertThat(created.path("collections")).extracting(JsonNode::asText).containsExactly("docs", "other");
            assertThat(Files.isDirectory(dataDir.resolve("snap/ignite/snapshots/nightly_1"))).isTrue();

            // Change the records: replace some, delete others, add new ones.
            ok(node, "PUT", "/v1/collections/docs/records", batch(random, 0, 50, "v2"));
            ok(node, "PUT", "/v1/collections/docs/records", batch(random, RECORDS, 30, "v2"));
            StringBuilder ids = new StringBuilder();
            for (int i = 100; i < 140; i++) {
                ids.append(ids.isEmpty() ? "" : ",").append("\"r").append(i).append('"');
            }
            ok(node, "POST", "/v1/collections/docs/records/delete", "{\"ids\": [" + ids + "]}");
            assertThat(checksum(node)).isNotEqualTo(checksum);

            JsonNode exists = json(send(node, "POST", "/v1/snapshots/nightly_1/restore",
                    "{\"collections\": [\"docs\"]}", 409)).path("error");
            assertThat(exists.path("message").asText()).contains("'docs'").contains("exists");

            ok(node, "DELETE", "/v1/collections/docs", null);
            JsonNode restored = json(send(node, "POST", "/v1/snapshots/nightly_1/restore",
                    "{\"collections\": [\"docs\"]}", 200));
            assertThat(restored.path("restored")).extracting(JsonNode::asText).containsExactly("docs");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200);

            assertThat(json(send(node, "GET", "/v1/collections/docs", null, 200)).path("count").asLong())
                    .isEqualTo(RECORDS);
            assertThat(checksum(node)).as("a checksum over every record").isEqualTo(checksum);
            assertThat(searches(node)).isEqualTo(answers);
            // The collection that was not restored is untouched.
            assertThat(json(send(node, "GET", "/v1/collections/other", null, 200)).path("dimension").asInt())
                    .isEqualTo(2);
        }
    }

    @Test
    void deletesAndPatchesOfIdsThatDoNotExistLeaveTheCollectionSnapshottable() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "absent", 1))) {
            ok(node, "PUT", "/v1/collections/sparse", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 8}");
            ok(node, "PUT", "/v1/collections/sparse/records", "{\"records\": [{\"id\": \"a\", \"vector\": [1, 2]}]}");
            // Ids in partitions that hold nothing: a write there left the partition in a state snapshots refuse.
            send(node, "DELETE", "/v1/collections/sparse/records/none-1", null, 404);
            send(node, "PATCH", "/v1/collections/sparse/records/none-2", "{\"payload\": {\"a\": 1}}", 404);
            assertThat(json(send(node, "POST", "/v1/collections/sparse/records/delete", "{\"ids\": [\"a\", \"none-3\", "
                    + "\"none-4\", \"none-5\"]}", 200)).path("deleted").asInt()).isEqualTo(1);
            assertThat(json(send(node, "POST", "/v1/snapshots", "{\"name\": \"after_absent\"}", 201)).path("state")
                    .asText()).isEqualTo("DONE");
        }
    }

    @Test
    void snapshotEndpointsRefuseWhatTheyCannotDo() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "refusals", 1))) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\"}");
            JsonNode unnamed = json(send(node, "POST", "/v1/snapshots", null, 201));
            assertThat(unnamed.path("name").asText()).startsWith("snapshot_");

            assertThat(error(send(node, "POST", "/v1/snapshots", "{\"name\": \"a-b\"}", 400)).path("field")
                    .asText()).isEqualTo("name");
            assertThat(error(send(node, "POST", "/v1/snapshots", "{\"nme\": \"x\"}", 400)).path("field").asText())
                    .isEqualTo("nme");
            ok(node, "POST", "/v1/snapshots", "{\"name\": \"s1\"}");
            assertThat(error(send(node, "POST", "/v1/snapshots", "{\"name\": \"s1\"}", 409)).path("message")
                    .asText()).contains("'s1'");
            assertThat(error(send(node, "POST", "/v1/snapshots/none/restore", null, 404)).path("message").asText())
                    .contains("'none'");
            assertThat(error(send(node, "GET", "/v1/snapshots/none", null, 404)).path("code").asText())
                    .isEqualTo("NOT_FOUND");
            JsonNode notHeld = error(send(node, "POST", "/v1/snapshots/s1/restore",
                    "{\"collections\": [\"nope\"]}", 400));
            assertThat(notHeld.path("field").asText()).isEqualTo("collections");
            assertThat(notHeld.path("message").asText()).contains("'nope'").contains("[docs]");
            // Without a list, every collection of the snapshot is restored: docs exists, so nothing is.
            assertThat(error(send(node, "POST", "/v1/snapshots/s1/restore", null, 409)).path("message").asText())
                    .contains("'docs'");
            assertThat(json(send(node, "GET", "/v1/collections/docs", null, 200)).path("dimension").asInt())
                    .isEqualTo(2);

            // The command line: gridvec snapshot create|list|restore.
            String url = "http://127.0.0.1:" + node.restPort();
            assertThat(cli("snapshot", "create", "cli_1", "--url", url)).isZero();
            assertThat(json(send(node, "GET", "/v1/snapshots/cli_1", null, 200)).path("state").asText())
                    .isEqualTo("DONE");
            assertThat(cli("snapshot", "list", "--url", url)).isZero();
            assertThat(cli("snapshot", "restore", "cli_1", "--collection", "docs", "--url", url)).as("docs exists")
                    .isEqualTo(1);
            assertThat(cli("snapshot", "restore", "cli_1", "--url", "http://127.0.0.1:1")).isEqualTo(3);

            JsonNode list = json(send(node, "GET", "/v1/snapshots", null, 200)).path("snapshots");
            assertThat(list).extracting(s -> s.path("name").asText())
                    .containsExactly(unnamed.path("name").asText(), "s1", "cli_1");
            assertThat(list.get(1).path("state").asText()).isEqualTo("DONE");
            assertThat(list.get(1).path("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        }
    }

    private static int cli(String... args) {
        return new CommandLine(new GridvecCommand()).execute(args);
    }

    private static String batch(Random random, int from, int count, String tag) {
        StringBuilder body = new StringBuilder("{\"records\": [");
        for (int i = from; i < from + count; i++) {
            body.append(i == from ? "" : ",").append("{\"id\": \"r").append(i).append("\", \"vector\": [");
            for (int d = 0; d < DIMENSION; d++) {
                body.append(d == 0 ? "" : ",").append(random.nextFloat());
            }
            body.append("], \"payload\": {\"tag\": \"").append(tag).append("\", \"i\": ").append(i).append("}}");
        }
        return body.append("]}").toString();
    }

    /** SHA-256 over every record id 0 to RECORDS + 30 as GET answers it (vector and payload), or its absence. */
    private static String checksum(GridNode node) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < RECORDS + 30; i++) {
            HttpResponse<String> record = TestNodes.http(node, "GET", "/v1/collections/docs/records/r" + i,
                    null);
            String line = record.statusCode() == 200 ? record.body() : "absent " + record.statusCode();
            digest.update((i + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The ids and scores of ten searches, past the result cache. */
    private static List<String> searches(GridNode node) throws Exception {
        Random random = new Random(11);
        List<String> answers = new ArrayList<>();
        for (int q = 0; q < 10; q++) {
            StringBuilder vector = new StringBuilder();
            for (int d = 0; d < DIMENSION; d++) {
                vector.append(d == 0 ? "" : ",").append(random.nextFloat());
            }
            JsonNode hits = json(send(node, "POST", "/v1/collections/docs/search", "{\"vector\": [" + vector
                    + "], \"k\": 10, \"cache\": false}", 200)).path("hits");
            StringBuilder answer = new StringBuilder();
            hits.forEach(hit -> answer.append(hit.path("id").asText()).append(':').append(hit.path("score").asText())
                    .append(' '));
            answers.add(answer.toString());
        }
        return answers;
    }

    private static void ok(GridNode node, String method, String path, String body) throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 201);
    }

    private static HttpResponse<String> send(GridNode node, String method, String path, String body, int status)
            throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(status);
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return json(response).path("error");
    }
}
