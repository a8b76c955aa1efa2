package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing and deleting records by filter on a 2-node cluster (the scans' filters run on the node holding each
 * partition): a scroll lists every record once, page by page, also while others write, honours its filter and
 * leaves vectors out unless asked; a delete by filter removes exactly the matching records from reads and searches;
 * records of a collection with a time to live leave reads, searches and every owner's shard when they expire.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordScrollIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 600;
    private static final int DIMENSION = 4;

    @TempDir
    static Path dataDir;

    private final GridNode[] nodes = new GridNode[2];

    @BeforeAll
    void startAndLoad() throws Exception {
        GridvecConfig first = TestNodes.config(dataDir, "scroll-0", 2);
        GridvecConfig second = TestNodes.joining(TestNodes.config(dataDir, "scroll-1", 2), first);
        // The seed first: nodes started at once can each form a cluster of their own.
        nodes[0] = GridNode.start(first);
        nodes[1] = GridNode.start(second);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> nodes[0].ignite().cluster().state().active());
        expect(send("PUT", "/v1/collections/docs", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                + "\"partitions\": 8, \"backups\": 1}"), 201);
        for (int from = 0; from < RECORDS; from += 200) {
            StringBuilder body = new StringBuilder("{\"records\": [");
            for (int i = from; i < from + 200; i++) {
                body.append(i == from ? "" : ",").append(record("r" + i, i));
            }
            expect(send("PUT", "/v1/collections/docs/records", body.append("]}").toString()), 200);
        }
    }

    @AfterAll
    void stop() {
        TestNodes.stopAll(nodes);
    }

    @Test
    void aScrollListsEveryRecordOnceAlsoWhileOthersWrite() throws Exception {
        Set<String> throughout = new TreeSet<>();
        for (int i = 0; i < RECORDS; i++) {
            throughout.add("r" + i);
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        int written = 0;
        do {
            JsonNode page = scroll("\"limit\": 37" + (cursor == null ? "" : ", \"cursor\": \"" + cursor + "\""));
            page.path("records").forEach(record -> {
                listed.add(record.path("id").asText());
                assertThat(record.has("vector")).as("vectors only when asked").isFalse();
                assertThat(record.path("payload").path("n").isInt()).isTrue();
            });
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            // Between pages others write: new records, and deletions of some of those new ones.
            expect(send("PUT", "/v1/collections/docs/records", "{\"records\": [" + record("new" + written, 1)
                    + "," + record("new" + (written + 1), 2) + "]}"), 200);
            if (written > 0) {
                expect(send("DELETE", "/v1/collections/docs/records/new" + (written - 1), null), 200);
            }
            written += 2;
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(cursor).as("the scroll ended").isNull();
        assertThat(new HashSet<>(listed)).as("no record listed twice").hasSameSizeAs(listed);
        assertThat(listed).as("every record that existed throughout").containsAll(throughout);
        assertThat(listed).allMatch(id -> throughout.contains(id) || id.startsWith("new"));
        assertThat(pages).isGreaterThanOrEqualTo(RECORDS / 37);
    }

    @Test
    void aScrollHonoursItsFilterAndReturnsVectorsWhenAsked() throws Exception {
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = scroll("\"limit\": 25, \"includeVector\": true, \"filter\": {\"must\": [{\"field\": "
                    + "\"group\", \"eq\": 3}]}" + (cursor == null ? "" : ", \"cursor\": \"" + cursor + "\""));
            page.path("records").forEach(record -> {
                listed.add(record.path("id").asText());
                assertThat(record.path("vector")).hasSize(DIMENSION);
                assertThat(record.path("payload").path("group").asInt()).isEqualTo(3);
            });
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        Set<String> expected = new TreeSet<>();
        for (int i = 3; i < RECORDS; i += 10) {
            expected.add("r" + i);
        }
        assertThat(new TreeSet<>(listed)).isEqualTo(expected);
        assertThat(listed).hasSameSizeAs(expected);
    }

    @Test
    void aDeleteByFilterRemovesExactlyTheMatchingRecordsFromReadsAndSearches() throws Exception {
        expect(send("PUT", "/v1/collections/gone", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                + "\"partitions\": 4, \"backups\": 1}"), 201);
        StringBuilder body = new StringBuilder("{\"records\": [");
        for (int i = 0; i < 300; i++) {
            body.append(i == 0 ? "" : ",").append(record("g" + i, i));
        }
        expect(send("PUT", "/v1/collections/gone/records", body.append("]}").toString()), 200);
        HttpResponse<String> deleted = send("POST", "/v1/collections/gone/records/delete",
                "{\"filter\": {\"must\": [{\"field\": \"group\", \"in\": [0, 1]}]}}");
        expect(deleted, 200);
        assertThat(JSON.readTree(deleted.body()).path("deleted").asInt()).isEqualTo(60);
        expect(send("GET", "/v1/collections/gone/records/g10", null), 404);
        expect(send("GET", "/v1/collections/gone/records/g12", null), 200);
        // g10's own vector, searched exactly: a deleted record is never a hit.
        JsonNode hits = JSON.readTree(send("POST", "/v1/collections/gone/search", "{\"vector\": " + vector(10)
                + ", \"k\": 300, \"exact\": true}").body()).path("hits");
        Set<String> found = new HashSet<>();
        hits.forEach(hit -> found.add(hit.path("id").asText()));
        assertThat(found).hasSize(240).noneMatch(id -> Integer.parseInt(id.substring(1)) % 10 < 2);
        assertThat(JSON.readTree(send("POST", "/v1/collections/gone/records/delete", "{\"filter\": {\"must\": "
                + "[{\"field\": \"group\", \"in\": [0, 1]}]}}").body()).path("deleted").asInt()).isZero();
    }

    @Test
    void recordsOfACollectionWithATimeToLiveLeaveReadsScrollsSearchesAndEveryOwnersShard() throws Exception {
        HttpResponse<String> created = send("PUT", "/v1/collections/brief", "{\"dimension\": " + DIMENSION
                + ", \"metric\": \"l2\", \"partitions\": 4, \"backups\": 1, \"ttlSeconds\": 2}");
        expect(created, 201);
        assertThat(JSON.readTree(created.body()).path("ttlSeconds").asInt()).isEqualTo(2);
        expect(send("PUT", "/v1/collections/kept", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                + "\"partitions\": 4, \"backups\": 1}"), 201);
        assertThat(JSON.readTree(send("GET", "/v1/collections/kept", null).body()).has("ttlSeconds"))
                .as("no time to live: not shown").isFalse();
        for (String collection : List.of("brief", "kept")) {
            StringBuilder body = new StringBuilder("{\"records\": [");
            for (int i = 0; i < 40; i++) {
                body.append(i == 0 ? "" : ",").append(record("t" + i, i));
            }
            expect(send("PUT", "/v1/collections/" + collection + "/records", body.append("]}").toString()), 200);
        }
        // Ignite's eager cleaner removes expired records on every owner; the shards drop them with the event.
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            expect(send("GET", "/v1/collections/brief/records/t7", null), 404);
            assertThat(JSON.readTree(send("POST", "/v1/collections/brief/search", "{\"vector\": " + vector(7)
                    + ", \"k\": 40, \"exact\": true}").body()).path("hits")).isEmpty();
            assertThat(shardRecords("brief")).as("records in every owner's shard").isZero();
        });
        assertThat(JSON.readTree(send("POST", "/v1/collections/brief/records/scroll", "{\"limit\": 100}").body())
                .path("records")).isEmpty();
        // The collection without a time to live keeps everything, in reads, searches and both owners' shards.
        expect(send("GET", "/v1/collections/kept/records/t7", null), 200);
        assertThat(JSON.readTree(send("POST", "/v1/collections/kept/search", "{\"vector\": " + vector(7)
                + ", \"k\": 40, \"exact\": true}").body()).path("hits")).hasSize(40);
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(
                () -> assertThat(shardRecords("kept")).isEqualTo(2 * 40));
    }

    /** Sums the records of every owner's shards of a collection, as GET /v1/collections/{name} reports them. */
    private int shardRecords(String collection) throws Exception {
        int records = 0;
        for (JsonNode partition : JSON.readTree(send("GET", "/v1/collections/" + collection, null).body())
                .path("partitionStates")) {
            for (JsonNode shard : partition.path("shards")) {
                records += shard.path("records").asInt() + shard.path("pending").asInt();
            }
        }
        return records;
    }

    @Test
    void badScrollAndDeleteRequestsAreRefusedNamingTheField() throws Exception {
        assertThat(error(send("POST", "/v1/collections/docs/records/scroll", "{\"limit\": 0}"))).isEqualTo("limit");
        assertThat(error(send("POST", "/v1/collections/docs/records/scroll", "{\"limit\": 1.5}"))).isEqualTo("limit");
        assertThat(error(send("POST", "/v1/collections/docs/records/scroll", "{}"))).isEqualTo("limit");
        assertThat(error(send("POST", "/v1/collections/docs/records/scroll", "{\"limit\": 5, \"cursor\": \"%%\"}")))
                .isEqualTo("cursor");
        assertThat(error(send("POST", "/v1/collections/docs/records/scroll", "{\"limit\": 5, \"cursor\": \"OTk6eA\"}")))
                .as("partition 99 of 8").isEqualTo("cursor");
        assertThat(error(send("POST", "/v1/collections/docs/records/scroll", "{\"limit\": 5, \"filter\": "
                + "{\"must\": [{\"field\": \"group\", \"near\": 3}]}}"))).startsWith("filter");
        HttpResponse<String> both = send("POST", "/v1/collections/docs/records/delete", "{\"ids\": [\"r1\"], "
                + "\"filter\": {\"must\": [{\"field\": \"group\", \"eq\": 1}]}}");
        expect(both, 400);
        expect(send("POST", "/v1/collections/docs/records/delete", "{}"), 400);
        expect(send("GET", "/v1/collections/docs/records/r1", null), 200);
    }

    private JsonNode scroll(String fields) throws Exception {
        HttpResponse<String> response = send("POST", "/v1/collections/docs/records/scroll", "{" + fields + "}");
        expect(response, 200);
        return JSON.readTree(response.body());
    }

    private static String record(String id, int i) {
        return "{\"id\": \"" + id + "\", \"vector\": " + vector(i) + ", \"payload\": {\"group\": " + i % 10
                + ", \"n\": " + i + "}}";
    }

    private static String vector(int i) {
        return "[" + i + ", " + (i % 7) + ", " + (i % 13) + ", 1]";
    }

    private static String error(HttpResponse<String> response) throws Exception {
        expect(response, 400);
        return JSON.readTree(response.body()).path("error").path("field").asText();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return TestNodes.http(nodes[0].restPort(), method, path, body);
    }

    private static void expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": "
                + response.body()).isEqualTo(status);
    }
}
