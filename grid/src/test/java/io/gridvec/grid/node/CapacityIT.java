package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.CapacityModel;
import io.gridvec.grid.config.GridvecConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk a record costs on a real node, measured against {@link CapacityModel}, which {@code gridvec plan} and
 * docs/capacity.md use: Ignite's partition files and the shard snapshots after a load and a graceful stop. When a
 * change makes records cost more or less, this fails and the model's constants (and docs/capacity.md) must follow.
 */
class CapacityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 10_000;
    private static final int DIMENSION = 64;
    /** The payload of every record, {@code {"tag":"abcdefgh"}} as JSON text. */
    private static final String PAYLOAD = "{\"tag\":\"abcdefgh\"}";
    /** How far a measured cost may be from the model's. */
    private static final double TOLERANCE = 0.3;

    @TempDir
    Path dataDir;

    @Test
    void partitionFilesAndShardSnapshotsCostWhatTheModelSays() throws Exception {
        GridvecConfig config = TestNodes.config(dataDir, "it-capacity", 1);
        try (GridNode node = GridNode.start(config)) {
            send(node, "PUT", "/v1/collections/docs", "{\"dimension\": " + DIMENSION + ", \"metric\": \"l2\", "
                    + "\"partitions\": 4, \"backups\": 0}");
            Random random = new Random(5);
            for (int from = 0; from < RECORDS; from += 1_000) {
                send(node, "PUT", "/v1/collections/docs/records", TestNodes.randomRecords(from, 1_000, DIMENSION,
                        random, PAYLOAD));
            }
            // Every write indexed: a shard's snapshot then holds its graph alone, no tail of pending writes.
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200
                            && JSON.readTree(TestNodes.http(node, "GET", "/v1/collections/docs", null).body())
                                    .path("indexLag").path("records").asLong() == 0);
        }
        // The graceful stop checkpointed the partitions and wrote every shard's snapshot.
        Path nodeDir = dataDir.resolve("it-capacity");
        CapacityModel model = new CapacityModel(RECORDS, DIMENSION, 0, 1, 24, PAYLOAD.length());
        double partitionBytes = (double) bytesUnder(nodeDir.resolve("ignite").resolve("db"), "cache-gv_docs")
                / RECORDS;
        double snapshotBytes = (double) bytesUnder(nodeDir.resolve("shards").resolve("docs"), "") / RECORDS;
        System.out.printf("{\"test\":\"CapacityIT\",\"partitionFileBytesPerRecord\":%.0f,\"model\":%d,"
                + "\"shardSnapshotBytesPerRecord\":%.0f,\"model\":%d}%n", partitionBytes, model.partitionPerCopy(),
                snapshotBytes, model.snapshotPerCopy());
        assertThat(partitionBytes).as("partition file bytes per record")
                .isCloseTo(model.partitionPerCopy(), within(model.partitionPerCopy() * TOLERANCE));
        assertThat(snapshotBytes).as("shard snapshot bytes per record")
                .isCloseTo(model.snapshotPerCopy(), within(model.snapshotPerCopy() * TOLERANCE));
    }

    /** The bytes of the regular files under {@code root} whose path contains {@code part}. */
    private static long bytesUnder(Path root, String part) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(file -> file.toString().contains(part))
                    .mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static void send(GridNode node, String method, String path, String body) throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 201);
    }
}
