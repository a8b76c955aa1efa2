package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process stopped with SIGTERM while clients stream upserts at it: it exits within its drain and stop
 * bounds, every client sees a success, a clean 503 or a closed connection, and every acknowledged record is there
 * after a restart.
 */
class GracefulStopIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WRITERS = 2;
    private static final int BATCH = 50;
    /** The drain (rest.drainTimeoutMs, 30 s by default), the stop bound, the shards' snapshots and the JVM's exit. */
    private static final Duration EXIT = Duration.ofSeconds(30 + NodeProcesses.STOP_TIMEOUT_MS / 1000 + 60);

    @TempDir
    Path dir;

    @Test
    void sigtermDuringAStreamOfUpsertsExitsInTimeAndKeepsEveryAcknowledgedRecord() throws Exception {
        try (NodeProcesses nodes = new NodeProcesses(dir, 1, "LOG_ONLY")) {
            nodes.startAll(Duration.ofSeconds(120));
            assertThat(nodes.http(0, "PUT", "/v1/collections/docs", "{\"dimension\": 8, \"metric\": \"l2\"}")
                    .statusCode()).isEqualTo(201);

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger refused = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(Workers.worker("writer-" + w, failures,
                        () -> write(nodes, writer, acknowledged, refused, failures)));
            }
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= 2_000
                    || !failures.isEmpty());
            assertThat(failures).isEmpty();

            long stopping = System.nanoTime();
            nodes.terminate(0);
            assertThat(nodes.awaitExit(0, EXIT)).as(() -> "the node exited within " + EXIT + ": " + nodes.log(0))
                    .isTrue();
            long stopMs = (System.nanoTime() - stopping) / 1_000_000;
            for (Thread writer : writers) {
                writer.join(Duration.ofSeconds(60));
                assertThat(writer.isAlive()).as(writer.getName() + " ended").isFalse();
            }
            assertThat(failures).as("what clients saw besides successes, clean 503s and closed connections")
                    .isEmpty();
            assertThat(nodes.log(0)).contains("Gridvec node p0 stopped.");

            nodes.start(0);
            nodes.awaitReady(0, Duration.ofSeconds(120));
            List<String> missing = new ArrayList<>();
            for (String id : acknowledged) {
                HttpResponse<String> record = nodes.http(0, "GET", "/v1/collections/docs/records/" + id, null);
                if (record.statusCode() != 200) {
                    missing.add(id + " (" + record.statusCode() + ")");
                }
            }
            assertThat(missing).as("acknowledged records missing after the restart (stop took " + stopMs + " ms, "
                    + refused.get() + " requests refused while draining)").isEmpty();
            long count = JSON.readTree(nodes.http(0, "GET", "/v1/collections/docs", null).body()).path("count")
                    .asLong();
            assertThat(count).isGreaterThanOrEqualTo(acknowledged.size());

            // The same stop, asked over HTTP: gridvec stop --url waits until the node has stopped.
            Process stop = NodeProcesses.launch(dir, dir.resolve("stop.log"), "stop", "--url", nodes.url(0));
            assertThat(stop.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(stop.exitValue()).as(() -> read(dir.resolve("stop.log"))).isZero();
            assertThat(nodes.awaitExit(0, Duration.ofSeconds(30))).as("the node process exited").isTrue();
            assertThat(nodes.log(0)).contains("Stopping: node p0 asked (POST /v1/cluster/stop, POST /v1/node/stop");
        }
    }

    /**
     * Upserts batches of new records until the node is gone (the connection is refused or closed). A 200 adds the
     * batch to {@code acknowledged}; a 503 must be the clean refusal of a stopping node; anything else is a failure.
     */
    private static void write(NodeProcesses nodes, int writer, Set<String> acknowledged, AtomicInteger refused,
            Queue<String> failures) throws InterruptedException {
        for (int batch = 0; ; batch++) {
            List<String> ids = new ArrayList<>();
            StringBuilder body = new StringBuilder("{\"records\": [");
            for (int i = 0; i < BATCH; i++) {
                String id = "w" + writer + "-" + batch + "-" + i;
                ids.add(id);
                body.append(i == 0 ? "" : ",").append("{\"id\": \"").append(id).append("\", \"vector\": [");
                for (int d = 0; d < 8; d++) {
                    body.append(d == 0 ? "" : ",").append((batch * 31 + i * 7 + d * 3 + writer) % 97);
                }
                body.append("]}");
            }
            HttpResponse<String> response;
            try {
                response = nodes.http(0, "PUT", "/v1/collections/docs/records", body.append("]}").toString());
            } catch (IOException e) {
                return; // the node closed its port: it is stopping or gone
            }
            if (response.statusCode() == 200) {
                acknowledged.addAll(ids);
            } else if (response.statusCode() == 503 && isStoppingRefusal(response)) {
                refused.incrementAndGet();
                Thread.sleep(50); // a client's back-off before its retry; no assertion depends on it
            } else {
                failures.add("writer " + writer + ": " + response.statusCode() + " " + response.body());
                return;
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static boolean isStoppingRefusal(HttpResponse<String> response) {
        try {
            JsonNode error = JSON.readTree(response.body()).path("error");
            return error.path("code").asText().equals("UNAVAILABLE")
                    && response.headers().firstValue("Retry-After").isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
