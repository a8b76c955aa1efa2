package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.shard.layout.FieldType;
import io.gridvec.shard.layout.RecordValue;
import io.gridvec.shard.registry.ShardStatus;
import io.gridvec.shard.registry.ShardStatusJob;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records and search on one real persistent node over real HTTP: CRUD, restart, bad input, concurrent delete. */
class RecordApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void recordsAreWrittenReadPatchedSearchedDeletedAndSurviveARestart() throws Exception {
        var config = TestNodes.config(dataDir, "it-records", 1);
        try (GridNode node = GridNode.start(config)) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 3, \"metric\": \"cosine\", \"partitions\": 4}");
            JsonNode put = ok(node, "PUT", "/v1/collections/docs/records", "{\"records\": ["
                    + "{\"id\": \"a\", \"vector\": [1, 0, 0], \"payload\": {\"lang\": \"en\", \"year\": 2020}},"
                    + "{\"id\": \"b\", \"vector\": [0, 1, 0], \"payload\": {\"lang\": \"de\"}},"
                    + "{\"id\": \"c\", \"vector\": [0, 0, 1]}]}");
            assertThat(put.path("upserted").asInt()).isEqualTo(3);

            JsonNode a = ok(node, "GET", "/v1/collections/docs/records/a", null);
            assertThat(a.path("vector").toString()).isEqualTo("[1.0,0.0,0.0]");
            assertThat(a.path("payload").path("lang").asText()).isEqualTo("en");
            long version = a.path("version").asLong();

            JsonNode patched = ok(node, "PATCH", "/v1/collections/docs/records/a",
                    "{\"payload\": {\"year\": null, \"tags\": [\"x\"]}, \"vector\": [0.9, 0.1, 0]}");
            assertThat(patched.path("payload").toString()).isEqualTo("{\"lang\":\"en\",\"tags\":[\"x\"]}");
            assertThat(patched.path("vector").get(0).floatValue()).isEqualTo(0.9f);
            assertThat(patched.path("version").asLong()).isGreaterThan(version);

            JsonNode hits = ok(node, "POST", "/v1/collections/docs/search",
                    "{\"vector\": [1, 0, 0], \"k\": 2, \"includePayload\": true, \"includeVector\": true}");
            assertThat(hits.path("hits").get(0).path("id").asText()).isEqualTo("a");
            assertThat(hits.path("hits").get(0).path("payload").path("lang").asText()).isEqualTo("en");
            assertThat(hits.path("hits").get(0).path("vector")).hasSize(3);
            assertThat(hits.path("partitions").toString()).isEqualTo("{\"searched\":4,\"total\":4}");

            JsonNode filtered = ok(node, "POST", "/v1/collections/docs/search",
                    "{\"vector\": [1, 0, 0], \"k\": 3, \"filter\": {\"must\": [{\"field\": \"lang\", \"eq\": \"de\"}]}}");
            assertThat(filtered.path("hits")).hasSize(1);
            assertThat(filtered.path("hits").get(0).path("id").asText()).isEqualTo("b");

            JsonNode batch = ok(node, "POST", "/v1/collections/docs/search/batch",
                    "{\"searches\": [{\"vector\": [0, 0, 1], \"k\": 1}, {\"vector\": [0, 1, 0], \"k\": 1}]}");
            assertThat(batch.path("results").get(0).path("hits").get(0).path("id").asText()).isEqualTo("c");
            assertThat(batch.path("results").get(1).path("hits").get(0).path("id").asText()).isEqualTo("b");

            ok(node, "DELETE", "/v1/collections/docs/records/c", null);
            assertThat(TestNodes.http(node, "GET", "/v1/collections/docs/records/c", null).statusCode())
                    .isEqualTo(404);
            assertThat(TestNodes.http(node, "DELETE", "/v1/collections/docs/records/c", null).statusCode())
                    .isEqualTo(404);
            assertThat(ok(node, "POST", "/v1/collections/docs/records/delete", "{\"ids\": [\"b\", \"zz\"]}")
                    .path("deleted").asInt()).isEqualTo(1);
        }
        // The graceful stop wrote a snapshot per shard; damage one, so that partition rebuilds from its records.
        Path snapshots = dataDir.resolve("it-records").resolve("shards").resolve("docs");
        List<Path> versionFiles;
        try (var files = Files.list(snapshots)) {
            versionFiles = files.filter(file -> file.toString().endsWith(".versions")).sorted().toList();
        }
        assertThat(versionFiles).as("a snapshot of every shard that holds records").isNotEmpty();
        for (Path file : versionFiles) {
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length - 1] ^= 1;
            Files.write(file, bytes);
        }
        try (GridNode node = GridNode.start(config)) {
            assertThat(ok(node, "GET", "/v1/collections/docs", null).path("count").asInt()).isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200);
            JsonNode partitions = ok(node, "GET", "/v1/collections/docs", null).path("partitionStates");
            partitions.forEach(partition -> assertThat(partition.path("shards").get(0).path("builtFrom").asText())
                    .as("a damaged snapshot is rebuilt from the records").isEqualTo("scan"));
            // Shards rebuild from the partitions after the restart; the router waits for them within its deadline.
            JsonNode hits = ok(node, "POST", "/v1/collections/docs/search", "{\"vector\": [0, 0, 1], \"k\": 5}");
            assertThat(hits.path("hits")).hasSize(1);
            assertThat(hits.path("hits").get(0).path("id").asText()).isEqualTo("a");
        }
    }

    @Test
    void badInputAnswers4xxNamingTheFieldAndChangesNothing() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-bad-records", 1))) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 3, \"metric\": \"cosine\", \"partitions\": 2}");
            ok(node, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"a\", \"vector\": [1, 2, 3]}]}");
            String before = ok(node, "GET", "/v1/collections/docs/records/a", null).toString();

            String records = "/v1/collections/docs/records";
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [1, 2]}]}", 400, "records[0].vector");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [1, \"NaN\", 3]}]}", 400,
                    "records[0].vector[1]");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [1, 1e39, 3]}]}", 400,
                    "records[0].vector[1]");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [0, 0, 0]}]}", 400,
                    "records[0].vector");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"a\", \"vector\": [3, 2, 1]},"
                    + " {\"vector\": [1, 2, 3]}]}", 400, "records[1].id");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"" + "x".repeat(257) + "\", \"vector\": [1, 2, 3]}]}",
                    400, "records[0].id");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [1, 2, 3], \"payload\": [1]}]}",
                    400, "records[0].payload");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [1, 2, 3], \"payload\": {\"p\": \""
                    + "x".repeat(70_000) + "\"}}]}", 400, "records[0].payload");
            bad(node, "PUT", records, "{\"records\": [{\"id\": \"b\", \"vector\": [1, 2, 3], \"extra\": 1}]}", 400,
                    "records[0].extra");
            bad(node, "PUT", records, "{\"records\": []}", 400, "records");
            bad(node, "PUT", records, "{\"records\": [", 400, null);
            bad(node, "PUT", "/v1/collections/nope/records", "{\"records\": [{\"id\": \"b\", \"vector\": [1, 2, 3]}]}",
                    404, null);
            bad(node, "PATCH", records + "/a", "{\"vector\": [1, 2]}", 400, "vector");
            bad(node, "PATCH", records + "/a", "{}", 400, null);
            bad(node, "PATCH", records + "/missing", "{\"payload\": {\"x\": 1}}", 404, null);
            bad(node, "POST", records + "/delete", "{\"ids\": []}", 400, "ids");
            bad(node, "POST", records + "/delete", "{\"ids\": [\"a\", \"\"]}", 400, "ids[1]");
            bad(node, "GET", "/v1/collections/nope/records/a", null, 404, null);

            String search = "/v1/collections/docs/search";
            bad(node, "POST", search, "{\"vector\": [1, 2, 3], \"k\": 0}", 400, "k");
            bad(node, "POST", search, "{\"vector\": [1, 2, 3], \"k\": 10001}", 400, "k");
            bad(node, "POST", search, "{\"vector\": [1, 2]}", 400, "vector");
            bad(node, "POST", search, "{\"k\": 3}", 400, "vector");
            bad(node, "POST", search, "{\"vector\": [1, 2, 3], \"ef\": 0}", 400, "ef");
            bad(node, "POST", search, "{\"vector\": [1, 2, 3], \"filter\": {\"must\": [{\"field\": \"x\"}]}}", 400,
                    "filter.must[0]");
            bad(node, "POST", search, "{\"vector\": [1, 2, 3], \"limit\": 3}", 400, "limit");
            bad(node, "POST", search, "not json", 400, null);
            bad(node, "POST", "/v1/collections/nope/search", "{\"vector\": [1, 2, 3]}", 404, null);
            bad(node, "POST", search + "/batch", "{\"searches\": [{\"vector\": [1, 2, 3]}, {\"vector\": [1]}]}", 400,
                    "searches[1].vector");
            bad(node, "POST", search + "/batch", "{\"searches\": []}", 400, "searches");

            assertThat(ok(node, "GET", "/v1/collections/docs/records/a", null).toString()).isEqualTo(before);
            assertThat(ok(node, "GET", "/v1/collections/docs", null).path("count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void deletingACollectionWhileRequestsRunFailsThemCleanlyAndDropsItsShards() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-drop", 1))) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 4}");
            AtomicBoolean running = new AtomicBoolean(true);
            Collection<Integer> statuses = ConcurrentHashMap.newKeySet();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int client = t;
                clients.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; running.get(); i++) {
                        try {
                            HttpResponse<String> response = client % 2 == 0
                                    ? TestNodes.http(node, "PUT", "/v1/collections/docs/records", "{\"records\": "
                                            + "[{\"id\": \"r" + client + "-" + i + "\", \"vector\": [1, " + i + "]}]}")
                                    : TestNodes.http(node, "POST", "/v1/collections/docs/search", "{\"vector\": [1, 2]}");
                            statuses.add(response.statusCode());
                            if (response.body().contains("Exception")) {
                                failures.add("an answer names an exception: " + response.body());
                            }
                        } catch (Exception e) {
                            failures.add("client " + client + ": " + e); // checked in the test thread
                            return;
                        }
                    }
                }));
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> statuses.contains(200) || !failures.isEmpty());
            ok(node, "DELETE", "/v1/collections/docs", null);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> statuses.contains(404) || !failures.isEmpty());
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }
            assertThat(failures).isEmpty();
            assertThat(statuses).containsOnly(200, 404);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> shards(node).isEmpty());

            // The same name and spec again is a new, empty collection: nothing of the old one comes back.
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 4}");
            JsonNode hits = ok(node, "POST", "/v1/collections/docs/search", "{\"vector\": [1, 2], \"k\": 5}");
            assertThat(hits.path("hits")).isEmpty();
            assertThat(ok(node, "GET", "/v1/collections/docs", null).path("count").asInt()).isZero();
        }
    }

    @Test
    void aWriteThatFailsOnItsPrimaryIsNeverAcknowledgedAndNamesTheRecords() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-write-failure", 1))) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 2}");
            // A thin-client user wrote a record whose version cannot grow: every write of that id fails on its
            // primary rather than go back in version; the other records of the batch are written.
            String type = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body())
                    .path("valueType").asText();
            node.ignite().cache("gv_docs").withKeepBinary().put("x", node.ignite().binary().builder(type)
                    .setField("vector", new byte[8], byte[].class).setField("version", Long.MAX_VALUE, Long.class)
                    .build());
            HttpResponse<String> response = TestNodes.http(node, "PUT", "/v1/collections/docs/records",
                    "{\"records\": [{\"id\": \"a\", \"vector\": [1, 2]}, {\"id\": \"x\", \"vector\": [3, 4]}]}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("WRITE_FAILED");
            assertThat(error.path("message").asText()).startsWith("1 of 2 records were not written: [x]; the other 1 "
                    + "were").doesNotContain("Exception");
            assertThat(error.path("notWritten").toString()).isEqualTo("[\"x\"]");
            assertThat(error.path("written").asInt()).isEqualTo(1);
            assertThat(TestNodes.http(node, "GET", "/v1/collections/docs/records/a", null).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> patch = TestNodes.http(node, "PATCH", "/v1/collections/docs/records/x",
                    "{\"payload\": {\"k\": 1}}");
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(500);
            assertThat(JSON.readTree(patch.body()).path("error").path("code").asText()).isEqualTo("WRITE_FAILED");
        }
    }

    @Test
    void aCreateWhoseRecordTypeIgniteKnowsWithOtherFieldTypesIsAConflictAndLeavesNothing() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-foreign-type", 1))) {
            // Before the collection existed, a writer outside Gridvec used its record type with a string price.
            String type = RecordValue.typeName(Map.of("price", FieldType.DOUBLE));
            node.ignite().binary().builder(type).setField("price", "cheap", String.class).build();
            HttpResponse<String> create = TestNodes.http(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, "
                    + "\"metric\": \"l2\", \"fields\": {\"price\": \"double\"}}");
            assertThat(create.statusCode()).as(create.body()).isEqualTo(409);
            assertThat(JSON.readTree(create.body()).path("error").path("message").asText())
                    .contains(type, "registered outside Gridvec", "price");
            assertThat(TestNodes.http(node, "GET", "/v1/collections/docs", null).statusCode()).isEqualTo(404);
            assertThat(node.ignite().cacheNames()).doesNotContain("gv_docs");
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", \"fields\": "
                    + "{\"price\": \"long\"}}");
        }
    }

    @Test
    void valuesWrittenOutsideGridvecAreNeitherReadAsRecordsNorSearchedAndAnUpsertReplacesThem() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-foreign", 1))) {
            ok(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 2}");
            ok(node, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"a\", \"vector\": [1, 1]}]}");
            node.ignite().cache("gv_docs").put("a", 42); // a thin client overwrote the record with a number
            HttpResponse<String> read = TestNodes.http(node, "GET", "/v1/collections/docs/records/a", null);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(409);
            assertThat(JSON.readTree(read.body()).path("error").path("message").asText())
                    .contains("not a Gridvec record (it is a Integer");
            assertThat(ok(node, "POST", "/v1/collections/docs/search", "{\"vector\": [1, 1], \"k\": 5}")
                    .path("hits")).isEmpty();
            ok(node, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"a\", \"vector\": [2, 2]}]}");
            assertThat(ok(node, "GET", "/v1/collections/docs/records/a", null).path("vector").toString())
                    .isEqualTo("[2.0,2.0]");
            assertThat(ok(node, "POST", "/v1/collections/docs/search", "{\"vector\": [2, 2], \"k\": 1}")
                    .path("hits").get(0).path("id").asText()).isEqualTo("a");
            JsonNode ready = ok(node, "GET", "/ready", null);
            assertThat(ready.path("failures").path("shards").asLong()).isZero();
        }
    }

    private static List<ShardStatus> shards(GridNode node) {
        return node.ignite().compute().broadcast(new ShardStatusJob(null)).stream().flatMap(List::stream).toList();
    }

    private static JsonNode ok(GridNode node, String method, String path, String body) throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + " -> " + response.body()).isBetween(200, 201);
        return JSON.readTree(response.body());
    }

    private static void bad(GridNode node, String method, String path, String body, int status, String field)
            throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        String context = method + " " + path + " " + (body == null ? "" : body.substring(0, Math.min(120, body.length())))
                + " -> " + response.body();
        assertThat(response.statusCode()).as(context).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).as(context).isNotEmpty();
        if (field != null) {
            assertThat(error.path("field").asText()).as(context).isEqualTo(field);
        }
    }
}
