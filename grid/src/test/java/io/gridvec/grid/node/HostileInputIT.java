package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API under hostile input: a seeded stream of malformed and hostile requests, spread over every endpoint the
 * node serves ({@link GridNode#restEndpoints()}, so a new route is covered without editing this test), must each be
 * answered with a 4xx JSON error and no stack trace, and must change nothing: the records and the collection and
 * snapshot lists hash the same before and after, and the node is still healthy. Replay a run with
 * {@code -Dgridvec.fuzz.seed=<seed>} (the seed is printed on failure).
 */
class HostileInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS = 300;
    private static final int REQUESTS = 400;
    private static final int THREADS = 4;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dataDir;

    @Test
    void everyHostileRequestIsRefusedWithA4xxJsonErrorAndChangesNothing() throws Exception {
        long seed = Long.getLong("gridvec.fuzz.seed", System.nanoTime());
        var config = TestNodes.config(dataDir, "it-hostile", 1);
        try (GridNode node = GridNode.start(config)) {
            ok(node, "PUT", "/v1/collections/" + HostileRequests.COLLECTION, "{\"dimension\": "
                    + HostileRequests.DIMENSION + ", \"metric\": \"cosine\", \"partitions\": 4}");
            Random data = new Random(seed);
            for (int from = 0; from < RECORDS; from += 100) {
                ok(node, "PUT", "/v1/collections/" + HostileRequests.COLLECTION + "/records",
                        TestNodes.randomRecords(from, 100, HostileRequests.DIMENSION, data,
                                "{\"lang\": \"en\", \"n\": [1, 2.5, {\"deep\": true}], \"s\": \"x'; --\"}"));
            }
            String before = checksum(node);

            List<String> endpoints = node.restEndpoints();
            HostileRequests generator = new HostileRequests(new Random(seed));
            List<HostileRequests.Request> requests = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                requests.add(generator.next(endpoints.get(i % endpoints.size())));
            }
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            long started = System.nanoTime();
            send(node, requests, failures);
            long millis = (System.nanoTime() - started) / 1_000_000;

            HttpResponse<String> health = TestNodes.http(node, "GET", "/health", null);
            if (health.statusCode() != 200) {
                failures.add("/health answered " + health.statusCode() + " afterwards: " + health.body());
            }
            String after = checksum(node);
            if (!after.equals(before)) {
                failures.add("the records, collections or snapshots changed: checksum " + before + " -> " + after);
            }
            System.out.printf("HostileInputIT: %d requests over %d endpoints in %d ms (seed %d)%n", requests.size(),
                    endpoints.size(), millis, seed);
            assertThat(failures).as("seed " + seed + " (replay with -Dgridvec.fuzz.seed=" + seed + "): "
                    + failures.size() + " failures").isEmpty();
        }
    }

    /** Sends every request from {@link #THREADS} workers; each unexpected answer is added to {@code failures}. */
    private static void send(GridNode node, List<HostileRequests.Request> requests, Queue<String> failures)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        Thread[] workers = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            workers[t] = Workers.worker("hostile-" + t, failures, () -> {
                for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                    HostileRequests.Request request = requests.get(i);
                    String problem;
                    try {
                        problem = problem(send(node, request));
                    } catch (IOException e) {
                        problem = "no answer: " + e;
                    }
                    if (problem != null) {
                        failures.add(problem + " <- " + request);
                    }
                }
            });
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    private static HttpResponse<String> send(GridNode node, HostileRequests.Request request)
            throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body;
        if (request.bodyBytes() > 0) {
            byte[] bytes = new byte[request.bodyBytes()];
            Arrays.fill(bytes, (byte) ' ');
            body = HttpRequest.BodyPublishers.ofByteArray(bytes);
        } else {
            body = request.body() == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(request.body(), StandardCharsets.UTF_8);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.restPort()
                + request.path())).timeout(Duration.ofSeconds(60)).method(request.method(), body);
        if (request.contentType() != null) {
            builder.header("Content-Type", request.contentType());
        }
        // The oversize body goes over a connection of its own: Jetty answers 413 without reading 64 MiB and then
        // closes that connection, which a shared client could hand to the next request.
        HttpClient client = request.bodyBytes() > 0 ? HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .build() : HTTP;
        return client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Returns what is wrong with the answer to a request that had to be refused, or null when nothing is. */
    static String problem(HttpResponse<String> response) {
        String body = response.body();
        String shown = body.length() <= 300 ? body : body.substring(0, 300) + "...";
        if (response.statusCode() < 400 || response.statusCode() >= 500) {
            return "status " + response.statusCode() + " (" + shown + ")";
        }
        if (body.contains("at io.") || body.contains("Exception") || body.contains("\tat ")) {
            return "stack trace text in " + shown;
        }
        try {
            JsonNode code = JSON.readTree(body).path("error").path("code");
            return code.isTextual() ? null : "no error.code in " + shown;
        } catch (IOException e) {
            return "not JSON: " + shown;
        }
    }

    /** Hashes every record as GET answers it (sorted by id), the collection list and the snapshot list. */
    private static String checksum(GridNode node) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            ids.add("r" + i);
        }
        ids.sort(null);
        for (String id : ids) {
            sha.update(ok(node, "GET", "/v1/collections/" + HostileRequests.COLLECTION + "/records/" + id, null)
                    .toString().getBytes(StandardCharsets.UTF_8));
        }
        sha.update(ok(node, "GET", "/v1/collections", null).toString().getBytes(StandardCharsets.UTF_8));
        sha.update(ok(node, "GET", "/v1/snapshots", null).toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static JsonNode ok(GridNode node, String method, String path, String body) throws Exception {
        HttpResponse<String> response = TestNodes.http(node, method, path, body);
        assertThat(response.statusCode()).as(method + " " + path + " -> " + response.body()).isBetween(200, 201);
        return JSON.readTree(response.body());
    }
}
