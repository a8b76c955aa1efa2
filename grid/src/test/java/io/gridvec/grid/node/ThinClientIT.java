package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records written with Ignite's Java thin client, as docs/sql-and-kv.md describes them: a thin client's overwrite of a
 * record first written over REST (with no version: the node stamps one above REST's) is what search returns, also
 * after a restart; a new record is
 * searchable; values that are not valid records are kept out of the index and counted, and never disturb the others.
 */
class ThinClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void thinClientWritesAreSearchedAsIgniteStoresThemAlsoAfterARestart() throws Exception {
        GridvecConfig config = TestNodes.config(dataDir, "thin", 1);
        GridNode node = GridNode.start(config);
        try {
            expect(TestNodes.http(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", "
                    + "\"partitions\": 2, \"backups\": 0}"), 201);
            expect(TestNodes.http(node, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"a\", "
                    + "\"vector\": [1, 1], \"payload\": {\"by\": \"rest\"}}, {\"id\": \"b\", \"vector\": [2, 2]}]}"),
                    200);
            long versionBefore = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs/records/a", null)
                    .body()).path("version").asLong();
            String type = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body())
                    .path("valueType").asText();
            try (IgniteClient client = Ignition.startClient(new ClientConfiguration()
                    .setAddresses("127.0.0.1:" + config.cluster().clientPort()))) {
                ClientCache<String, Object> cache = client.cache("gv_docs").withKeepBinary();
                cache.put("a", record(client, type, new float[] {9, 9}, "{\"by\": \"thin\"}"));
                cache.put("c", record(client, type, new float[] {-5, -5}, null));
                cache.put("wrong-dimension", record(client, type, new float[] {1, 2, 3}, null));
                cache.put("not-a-record", "just a string");
                // A vector of another type than the collection's record type has is refused by Ignite itself: the
                // node registered the type's fields when it created the collection.
                assertThatThrownBy(() -> client.binary().builder(type)
                        .setField("vector", new float[] {9, 9}, float[].class).build())
                        .hasMessageContaining("fieldName=vector, fieldType=byte[], assignedValueType=float[]");
                BinaryObject read = (BinaryObject) cache.get("a");
                assertThat((byte[]) read.field("vector")).isEqualTo(littleEndian(new float[] {9, 9}));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertSearched(node));
            assertThat(unsearchable(node)).as("the two values that are not records, counted").isEqualTo(2);
            assertThat(TestNodes.http(node, "GET", "/metrics", null).body())
                    .contains("gridvec_collection_unsearchable{collection=\"docs\"} 2.0");
            JsonNode a = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs/records/a", null).body());
            assertThat(a.path("payload").path("by").asText()).isEqualTo("thin");
            assertThat(a.path("version").asLong()).as("written without a version: stamped above REST's")
                    .isGreaterThan(versionBefore);
        } finally {
            node.close();
        }
        // The shard snapshots written at the stop hold "a" as the thin client wrote it; the restart still finds it.
        GridNode restarted = GridNode.start(config);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertSearched(restarted));
        } finally {
            restarted.close();
        }
    }

    /** "a" answers with the thin client's vector, "c" is found, the values that are not records never are. */
    private static void assertSearched(GridNode node) throws Exception {
        JsonNode hits = JSON.readTree(TestNodes.http(node, "POST", "/v1/collections/docs/search",
                "{\"vector\": [9, 9], \"k\": 10}").body()).path("hits");
        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).path("id").asText()).isEqualTo("a");
        assertThat(hits.get(0).path("score").asDouble()).isZero();
        JsonNode near = JSON.readTree(TestNodes.http(node, "POST", "/v1/collections/docs/search",
                "{\"vector\": [-5, -5], \"k\": 1}").body()).path("hits");
        assertThat(near.get(0).path("id").asText()).isEqualTo("c");
    }

    private static int unsearchable(GridNode node) throws Exception {
        int count = 0;
        for (JsonNode partition : JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body())
                .path("partitionStates")) {
            for (JsonNode shard : partition.path("shards")) {
                count += shard.path("unsearchable").asInt();
            }
        }
        return count;
    }

    /** A record as a thin client builds it: the collection's value type, no version field. */
    private static BinaryObject record(IgniteClient client, String type, float[] vector, String payload) {
        return client.binary().builder(type).setField("vector", littleEndian(vector), byte[].class)
                .setField("payload", payload, String.class).build();
    }

    /** The stored form of a vector: 4 bytes per float, little-endian (docs/sql-and-kv.md). */
    static byte[] littleEndian(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            bytes.putFloat(value);
        }
        return bytes.array();
    }

    private static void expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    }
}
