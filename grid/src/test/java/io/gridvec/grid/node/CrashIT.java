package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability with real processes: nodes started by the launcher and killed with SIGKILL while clients write. An
 * acknowledged write must survive with its latest value and be found by search. Seeded: {@code -Dgridvec.test.seed}.
 */
class CrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    private static final int DIM = 8;
    private static final Duration START = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    /** Per id: the last acknowledged vector, then any vectors of later writes that were not acknowledged. */
    private final Map<String, List<float[]>> expected = new HashMap<>();
    /** The ids with at least one acknowledged write: each must be present afterwards. */
    private final Set<String> promised = new HashSet<>();
    /** The ids of acknowledged deletes, with their last vector: none may come back. */
    private final Map<String, float[]> deleted = new HashMap<>();
    private final Random random = new Random(SEED);

    @Test
    void killingAPrimaryDuringAcknowledgedBatchUpsertsLosesNothing() throws Exception {
        try (NodeProcesses nodes = new NodeProcesses(dir, 3, "LOG_ONLY")) {
            nodes.startAll(START);
            createCollection(nodes);
            AtomicInteger acknowledged = new AtomicInteger();
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int batch = 0; batch < 60; batch++) {
                        if (write(nodes, batch % 2, batch)) {
                            acknowledged.incrementAndGet();
                        }
                        delete(nodes, batch % 2, 5);
                    }
                } catch (Exception | AssertionError e) {
                    failures.add(e); // rethrown in the test thread below
                }
            });
            Awaitility.await().atMost(START).until(() -> acknowledged.get() >= 20 || !failures.isEmpty());
            nodes.kill(2); // the primary of about a third of the partitions, while batches are in flight
            writer.join();
            rethrow(failures);
            assertThat(acknowledged.get()).as("most batches are acknowledged despite the kill").isGreaterThan(40);
            long restarted = System.nanoTime();
            nodes.start(2);
            for (int i = 0; i < 3; i++) {
                nodes.awaitReady(i, START);
            }
            System.out.printf("{\"test\":\"CrashIT.killPrimary\",\"acknowledgedBatches\":%d,\"of\":60,"
                    + "\"promisedRecords\":%d,\"restartToReadyMs\":%d,\"seed\":%d}%n", acknowledged.get(),
                    promised.size(), (System.nanoTime() - restarted) / 1_000_000, SEED);
            verifyEveryAcknowledgedWrite(nodes, 1);
            verifyDeletesStay(nodes, 1);
            assertNoDivergence(nodes);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FSYNC", "LOG_ONLY"})
    void killingEveryNodeRightAfterAcknowledgedWritesLosesNothing(String walMode) throws Exception {
        try (NodeProcesses nodes = new NodeProcesses(dir, 3, walMode)) {
            nodes.startAll(START);
            createCollection(nodes);
            for (int batch = 0; batch < 20; batch++) {
                assertThat(write(nodes, batch % 3, batch)).isTrue();
                delete(nodes, batch % 3, 3);
            }
            for (int i = 0; i < 3; i++) {
                nodes.kill(i);
            }
            nodes.startAll(START);
            System.out.printf("{\"test\":\"CrashIT.killAll\",\"walMode\":\"%s\",\"promisedRecords\":%d,"
                    + "\"deletedRecords\":%d,\"seed\":%d}%n", walMode, promised.size(), deleted.size(), SEED);
            verifyEveryAcknowledgedWrite(nodes, 2);
            verifyDeletesStay(nodes, 2);
            assertNoDivergence(nodes);
        }
    }

    @Test
    void killingOneOfThreeNodesDuringSearchesInterruptsThemBriefly() throws Exception {
        try (NodeProcesses nodes = new NodeProcesses(dir, 3, "LOG_ONLY")) {
            nodes.startAll(START);
            createCollection(nodes);
            for (int batch = 0; batch < 20; batch++) {
                assertThat(write(nodes, batch % 3, batch)).isTrue();
            }
            List<String> ids = new ArrayList<>(promised);
            AtomicLong lastFailure = new AtomicLong();
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            AtomicInteger searches = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread load = Thread.ofPlatform().start(() -> {
                try {
                    searchUntilStopped(nodes, ids, running, lastFailure, searches);
                } catch (Exception | AssertionError e) {
                    failures.add(e); // rethrown in the test thread below
                }
            });
            Awaitility.await().atMost(START).until(() -> searches.get() >= 50 || !failures.isEmpty());
            killedAt.set(System.nanoTime());
            nodes.kill(2);
            int atKill = searches.get();
            Awaitility.await().atMost(START).until(() -> searches.get() >= atKill + 200 || !failures.isEmpty());
            running.set(false);
            load.join();
            rethrow(failures);
            long outageMs = Math.max(0, (lastFailure.get() - killedAt.get()) / 1_000_000);
            System.out.printf("{\"test\":\"CrashIT.killDuringSearches\",\"searchesFailingForMs\":%d,"
                    + "\"searchesAfterKill\":%d,\"seed\":%d}%n", lastFailure.get() == 0 ? 0 : outageMs,
                    searches.get() - atKill, SEED);
            assertThat(lastFailure.get() == 0 || outageMs <= 2_000).as("searches failed for " + outageMs + " ms")
                    .isTrue();
            assertThat(recallAt10(nodes, 0)).as("recall@10 with a node down, seed " + SEED)
                    .isGreaterThanOrEqualTo(0.95);

            nodes.start(2);
            nodes.awaitReady(2, START);
            verifyEveryAcknowledgedWrite(nodes, 2);
            assertThat(recallAt10(nodes, 2)).as("recall@10 after the node returned, seed " + SEED)
                    .isGreaterThanOrEqualTo(0.95);
            assertNoDivergence(nodes);
        }
    }

    /**
     * Searches for acknowledged records' own vectors through nodes 0 and 1 until {@code running} is cleared; a search
     * that fails, misses the record or takes longer than 2 s sets {@code lastFailure} to its end.
     */
    private void searchUntilStopped(NodeProcesses nodes, List<String> ids, AtomicBoolean running,
            AtomicLong lastFailure, AtomicInteger searches) throws Exception {
        for (int q = 0; running.get(); q++) {
            String id = ids.get(q % ids.size());
            float[] vector = expected.get(id).get(0);
            boolean complete;
            long started = System.nanoTime();
            try {
                HttpResponse<String> response = nodes.http(q % 2, "POST", "/v1/collections/crash/search",
                        "{\"vector\": " + JSON.writeValueAsString(vector) + ", \"k\": 10, \"cache\": false}");
                JsonNode answer = JSON.readTree(response.body());
                complete = response.statusCode() == 200
                        && answer.path("partitions").path("searched").asInt() == 8
                        && answer.path("hits").get(0).path("id").asText().equals(id);
            } catch (IOException e) {
                complete = false; // no answer at all counts as a failed search
            }
            long now = System.nanoTime();
            if (!complete || now - started > 2_000_000_000L) {
                lastFailure.set(now); // a search slower than 2 s counts as failed
            }
            searches.incrementAndGet();
        }
    }

    private static void rethrow(Queue<Throwable> failures) {
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError("a worker thread failed, seed " + SEED, failures.peek());
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    /** Average recall@10 of 50 random queries through node {@code via}, against an exact scan of the records. */
    private double recallAt10(NodeProcesses nodes, int via) throws Exception {
        double recall = 0;
        for (int q = 0; q < 50; q++) {
            float[] query = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                query[d] = random.nextFloat() * 100;
            }
            List<String> exact = promised.stream()
                    .sorted(Comparator.comparingDouble(id -> l2(query, expected.get(id).get(0))))
                    .limit(10).toList();
            JsonNode answer = JSON.readTree(nodes.http(via, "POST", "/v1/collections/crash/search",
                    "{\"vector\": " + JSON.writeValueAsString(query) + ", \"k\": 10}").body());
            assertThat(answer.path("partitions").path("searched").asInt()).isEqualTo(8);
            Set<String> found = new HashSet<>();
            answer.path("hits").forEach(hit -> found.add(hit.path("id").asText()));
            recall += exact.stream().filter(found::contains).count() / 10.0;
        }
        return recall / 50;
    }

    private static double l2(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return sum;
    }


    private static void createCollection(NodeProcesses nodes) throws Exception {
        HttpResponse<String> created = nodes.http(0, "PUT", "/v1/collections/crash", "{\"dimension\": " + DIM
                + ", \"metric\": \"l2\", \"partitions\": 8, \"backups\": 1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /**
     * Writes 50 new records and rewrites 10 acknowledged ones through node {@code via}; records the outcome and
     * returns whether the batch was acknowledged.
     */
    private boolean write(NodeProcesses nodes, int via, int batch) throws Exception {
        ArrayNode records = JSON.createArrayNode();
        Map<String, float[]> attempted = new HashMap<>();
        List<String> earlier;
        synchronized (expected) {
            earlier = new ArrayList<>(promised);
        }
        for (int i = 0; i < 60; i++) {
            String id = i < 50 || earlier.isEmpty() ? "b" + batch + "-" + i : earlier.get(random.nextInt(earlier.size()));
            if (attempted.containsKey(id)) {
                continue;
            }
            float[] vector = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                vector[d] = random.nextFloat() * 100;
            }
            attempted.put(id, vector);
            ObjectNode record = records.addObject().put("id", id);
            record.set("vector", JSON.valueToTree(vector));
            record.putObject("payload").put("batch", batch);
        }
        boolean acknowledged;
        try {
            HttpResponse<String> response = nodes.http(via, "PUT", "/v1/collections/crash/records",
                    JSON.writeValueAsString(JSON.createObjectNode().set("records", records)));
            acknowledged = response.statusCode() == 200;
        } catch (IOException e) {
            acknowledged = false; // the answer never came: the write may or may not have happened
        }
        synchronized (expected) {
            for (Map.Entry<String, float[]> write : attempted.entrySet()) {
                List<float[]> values = expected.computeIfAbsent(write.getKey(), id -> new ArrayList<>());
                if (acknowledged) {
                    values.clear();
                    promised.add(write.getKey());
                }
                values.add(write.getValue());
            }
        }
        return acknowledged;
    }

    /** Deletes {@code count} acknowledged records; an acknowledged delete must never be undone. */
    private void delete(NodeProcesses nodes, int via, int count) throws Exception {
        List<String> ids;
        synchronized (expected) {
            List<String> candidates = new ArrayList<>(promised);
            Collections.shuffle(candidates, random);
            ids = candidates.subList(0, Math.min(count, candidates.size()));
        }
        boolean acknowledged;
        try {
            HttpResponse<String> response = nodes.http(via, "POST", "/v1/collections/crash/records/delete",
                    JSON.writeValueAsString(Map.of("ids", ids)));
            acknowledged = response.statusCode() == 200;
        } catch (IOException e) {
            acknowledged = false;
        }
        synchronized (expected) {
            promised.removeAll(ids); // either way no longer promised to exist
            if (acknowledged) {
                ids.forEach(id -> deleted.put(id, expected.get(id).get(expected.get(id).size() - 1)));
            }
        }
    }

    /** Every acknowledged delete stays deleted: the id is not readable and no search returns it. */
    private void verifyDeletesStay(NodeProcesses nodes, int via) throws Exception {
        assertThat(deleted).isNotEmpty();
        for (Map.Entry<String, float[]> gone : deleted.entrySet()) {
            assertThat(nodes.http(via, "GET", "/v1/collections/crash/records/" + gone.getKey(), null).statusCode())
                    .as("deleted record " + gone.getKey() + ", seed " + SEED).isEqualTo(404);
            JsonNode hits = JSON.readTree(nodes.http(via, "POST", "/v1/collections/crash/search",
                    "{\"vector\": " + JSON.writeValueAsString(gone.getValue()) + ", \"k\": 5}").body());
            hits.path("hits").forEach(hit -> assertThat(hit.path("id").asText()).isNotEqualTo(gone.getKey()));
        }
    }

    private void verifyEveryAcknowledgedWrite(NodeProcesses nodes, int via) throws Exception {
        assertThat(promised).hasSizeGreaterThan(500);
        int checked = 0;
        for (String id : promised) {
            Map.Entry<String, List<float[]>> record = Map.entry(id, expected.get(id));
            HttpResponse<String> response = nodes.http(via, "GET", "/v1/collections/crash/records/" + record.getKey(),
                    null);
            assertThat(response.statusCode()).as("acknowledged record " + record.getKey() + ", seed " + SEED)
                    .isEqualTo(200);
            float[] stored = JSON.treeToValue(JSON.readTree(response.body()).path("vector"), float[].class);
            assertThat(record.getValue()).as("record " + record.getKey() + " holds its latest acknowledged value")
                    .anyMatch(value -> Arrays.equals(value, stored));
            if (checked++ % 10 == 0) {
                JsonNode hits = JSON.readTree(nodes.http(via, "POST", "/v1/collections/crash/search",
                        "{\"vector\": " + JSON.writeValueAsString(stored) + ", \"k\": 1}").body());
                assertThat(hits.path("hits").get(0).path("id").asText()).as("search finds " + record.getKey())
                        .isEqualTo(record.getKey());
            }
        }
    }

    private static void assertNoDivergence(NodeProcesses nodes) throws Exception {
        JsonNode check = JSON.readTree(nodes.http(0, "GET", "/v1/collections/crash/consistency", null).body());
        assertThat(check.path("divergentPartitions").asInt()).as(check.toString()).isZero();
    }
}
