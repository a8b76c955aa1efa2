package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL over a collection with declared fields, through the real JDBC thin driver and the Ignite Java thin client, as
 * docs/sql-and-kv.md describes it: records written over REST, by a thin client and by SQL {@code INSERT} are rows of
 * table {@code GRIDVEC.DOCS} and are all found by search; SQL {@code UPDATE} of a declared field is what search
 * filters and {@code GET} see; SQL {@code DELETE} takes a record out of search.
 */
class SqlIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void recordsWrittenByRestThinClientAndSqlAreRowsAndSearchResults() throws Exception {
        // Two nodes: writes reach primaries on the other node (processors and SQL DML sent there, the interceptor
        // running there), and backups index them too.
        GridvecConfig config = TestNodes.config(dataDir, "sql-0", 2);
        GridvecConfig joiner = TestNodes.joining(TestNodes.config(dataDir, "sql-1", 2), config);
        GridNode node = GridNode.start(config);
        GridNode other = null;
        try {
            other = GridNode.start(joiner);
            expect(TestNodes.http(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", "
                    + "\"partitions\": 4, \"backups\": 1, \"fields\": {\"category\": \"string\", \"price\": \"double\","
                    + " \"year\": \"int\"}}"), 201);
            JsonNode described = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body());
            assertThat(described.path("fields").toString())
                    .isEqualTo("{\"category\":\"string\",\"price\":\"double\",\"year\":\"int\"}");
            assertThat(described.path("sqlTable").asText()).isEqualTo("GRIDVEC.DOCS");
            String type = described.path("valueType").asText();

            expect(TestNodes.http(node, "PUT", "/v1/collections/docs/records", "{\"records\": ["
                    + "{\"id\": \"r1\", \"vector\": [1, 0], \"payload\": {\"category\": \"news\", \"price\": 10.5, "
                    + "\"year\": 2023, \"lang\": \"en\"}},"
                    + "{\"id\": \"r2\", \"vector\": [2, 0], \"payload\": {\"category\": \"sport\", \"price\": 3}}]}"),
                    200);
            HttpResponse<String> wrongType = TestNodes.http(node, "PUT", "/v1/collections/docs/records",
                    "{\"records\": [{\"id\": \"bad\", \"vector\": [0, 0], \"payload\": {\"year\": \"2023\"}}]}");
            expect(wrongType, 400);
            assertThat(JSON.readTree(wrongType.body()).path("error").path("field").asText())
                    .isEqualTo("records[0].payload.year");

            String clients = "127.0.0.1:" + config.cluster().clientPort();
            try (IgniteClient client = Ignition.startClient(new ClientConfiguration().setAddresses(clients))) {
                ClientCache<String, Object> cache = client.cache("gv_docs").withKeepBinary();
                cache.put("t1", client.binary().builder(type)
                        .setField("vector", ThinClientIT.littleEndian(new float[] {0, 5}), byte[].class)
                        .setField("category", "news", String.class)
                        .setField("price", 7.25, Double.class)
                        .setField("payload", "{\"by\": \"thin\"}", String.class)
                        .build());
            }
            try (Connection sql = DriverManager.getConnection("jdbc:ignite:thin://" + clients)) {
                try (PreparedStatement insert = sql.prepareStatement(
                        "INSERT INTO gridvec.docs (id, vector, category, price, year) VALUES (?, ?, ?, ?, ?)")) {
                    insert.setString(1, "s1");
                    insert.setBytes(2, ThinClientIT.littleEndian(new float[] {-4, -4}));
                    insert.setString(3, "sport");
                    insert.setDouble(4, 99.0);
                    insert.setInt(5, 2021);
                    assertThat(insert.executeUpdate()).isEqualTo(1);
                }
                assertThat(rows(sql, "SELECT id, category, price, year, payload FROM gridvec.docs ORDER BY id"))
                        .containsExactly(
                                List.of("r1", "news", 10.5, 2023, "{\"lang\":\"en\"}"),
                                Row.of("r2", "sport", 3.0, null, null),
                                Row.of("s1", "sport", 99.0, 2021, null),
                                Row.of("t1", "news", 7.25, null, "{\"by\": \"thin\"}"));
                assertThat(rows(sql, "SELECT id FROM gridvec.docs WHERE price > 5 AND category = 'news' "
                        + "ORDER BY price DESC")).containsExactly(List.of("r1"), List.of("t1"));
                assertThat(rows(sql, "SELECT category, COUNT(*), MAX(price) FROM gridvec.docs GROUP BY category "
                        + "ORDER BY category")).containsExactly(List.of("news", 2L, 10.5), List.of("sport", 2L, 99.0));

                // Every path's record is searched, and found at distance 0 from its own vector.
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(nearest(node, "[1, 0]", null)).isEqualTo("r1");
                    assertThat(nearest(node, "[0, 5]", null)).isEqualTo("t1");
                    assertThat(nearest(node, "[-4, -4]", null)).isEqualTo("s1");
                });
                assertThat(hits(node, "[0, 0]", "{\"must\": [{\"field\": \"category\", \"eq\": \"news\"}]}"))
                        .containsExactlyInAnyOrder("r1", "t1");

                try (Statement statement = sql.createStatement()) {
                    assertThat(statement.executeUpdate("UPDATE gridvec.docs SET category = 'archive' WHERE id = 'r1'"))
                            .isEqualTo(1);
                    assertThat(statement.executeUpdate("DELETE FROM gridvec.docs WHERE id = 's1'")).isEqualTo(1);
                }
            }
            String archive = "{\"must\": [{\"field\": \"category\", \"eq\": \"archive\"}]}";
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(hits(node, "[0, 0]", archive)).containsExactly("r1");
                assertThat(hits(node, "[-4, -4]", null)).doesNotContain("s1");
            });
            JsonNode r1 = JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs/records/r1", null).body());
            assertThat(r1.path("payload").path("category").asText()).isEqualTo("archive");
            assertThat(r1.path("payload").path("lang").asText()).isEqualTo("en");
            expect(TestNodes.http(node, "GET", "/v1/collections/docs/records/s1", null), 404);
            // SQL index names are unique per schema: these two collections' would be alike if joined by an underscore.
            expect(TestNodes.http(node, "PUT", "/v1/collections/pair", "{\"dimension\": 2, \"metric\": \"l2\", "
                    + "\"fields\": {\"a_b\": \"int\"}}"), 201);
            expect(TestNodes.http(node, "PUT", "/v1/collections/pair_a", "{\"dimension\": 2, \"metric\": \"l2\", "
                    + "\"fields\": {\"b\": \"int\"}}"), 201);
            // The other node's shards answer alike (every partition from one owner, primaries or backups).
            GridNode second = other;
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertThat(hits(second, "[0, 0]", archive)).containsExactly("r1"));
        } finally {
            TestNodes.stopAll(node, other);
        }
    }

    /** A row as a list, where {@code List.of} cannot hold the NULLs. */
    private static final class Row {
        static List<Object> of(Object... values) {
            return Arrays.asList(values);
        }
    }

    private static List<List<Object>> rows(Connection sql, String query) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement statement = sql.createStatement(); ResultSet result = statement.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(result.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String nearest(GridNode node, String vector, String filter) throws Exception {
        List<String> ids = hits(node, vector, filter);
        return ids.isEmpty() ? null : ids.get(0);
    }

    private static List<String> hits(GridNode node, String vector, String filter) throws Exception {
        String body = "{\"vector\": " + vector + ", \"k\": 10, \"cache\": false"
                + (filter == null ? "" : ", \"filter\": " + filter) + "}";
        HttpResponse<String> response = TestNodes.http(node, "POST", "/v1/collections/docs/search", body);
        expect(response, 200);
        List<String> ids = new ArrayList<>();
        for (JsonNode hit : JSON.readTree(response.body()).path("hits")) {
            ids.add(hit.path("id").asText());
        }
        return ids;
    }

    private static void expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    }
}
