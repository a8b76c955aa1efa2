package io.gridvec.grid.node;

import static io.gridvec.grid.node.Vectors.exactTop;
import static io.gridvec.grid.node.Vectors.percentile;
import static io.gridvec.grid.node.Vectors.randomVector;
import static io.gridvec.grid.node.Vectors.upsertBody;
import static io.gridvec.grid.node.Workers.worker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data path under overload, with three real node processes: sustained batch ingest against a deliberately small
 * index-lag bound (writes wait, then get 429; the lag stays near the bound; nothing acknowledged is lost; searches
 * keep finding what was written), then one node stopped with SIGSTOP under search load (hedged searches keep
 * answering, within the hedge delay, with full recall). Seeded: {@code -Dgridvec.test.seed} replays a run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverloadIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    private static final Duration START = Duration.ofSeconds(120);
    /** A bound below one batch, and a short wait. */
    private static final int LAG_BOUND = 100;
    private static final int WAIT_MS = 100;
    private static final int HEDGE_MS = 50;
    private static final int WRITERS = 3;
    private static final int BATCH = 500;
    private static final int DIM = 128;

    @TempDir
    static Path dir;

    private NodeProcesses nodes;
    /** The records of the stall collection. */
    private final Map<String, float[]> all = new LinkedHashMap<>();

    @BeforeAll
    void startCluster() throws Exception {
        nodes = new NodeProcesses(dir, 3, "LOG_ONLY", String.join("\n",
                "ingest: {maxIndexLagRecords: " + LAG_BOUND + ", maxWaitMs: " + WAIT_MS + "}",
                "search: {hedgeDelayMs: " + HEDGE_MS + "}"));
        nodes.startAll(START);
    }

    @AfterAll
    void stopCluster() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    @Order(1)
    void ingestFasterThanIndexingGetsBackPressureAndLosesNothing() throws Exception {
        // One partition (one shard on each of two owners) and a slow graph to build. The writes start while both
        // shards compact: compaction holds their drains, so the writes pile up in the tails however fast the machine
        // is, and after that three writers keep outrunning indexing.
        create("ingest", DIM, 1, ", \"hnsw\": {\"m\": 48, \"efConstruction\": 800}");
        Map<String, float[]> acknowledged = new ConcurrentHashMap<>();
        Random preload = new Random(SEED - 1);
        for (int batch = 0; batch < 6; batch++) {
            Map<String, float[]> records = new LinkedHashMap<>();
            for (int i = 0; i < BATCH; i++) {
                records.put("pre-" + batch + "-" + i, randomVector(preload, DIM));
            }
            putHonouringRetryAfter(batch % 3, "ingest", upsertBody(records));
            acknowledged.putAll(records);
        }
        for (int i = 0; i < nodes.size(); i++) {
            nodes.awaitReady(i, START);
        }
        List<String> doomed = acknowledged.keySet().stream().sorted().limit(1_000).toList();
        for (int from = 0; from < doomed.size(); from += BATCH) {
            List<String> ids = doomed.subList(from, from + BATCH);
            assertThat(nodes.http(0, "POST", "/v1/collections/ingest/records/delete",
                    JSON.writeValueAsString(Map.of("ids", ids))).statusCode()).isEqualTo(200);
            ids.forEach(acknowledged::remove);
        }
        // 1,000 tombstones in 3,000 records: each owner now rebuilds its graph without them.
        List<String> ackedIds = new CopyOnWriteArrayList<>(acknowledged.keySet());
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLongArray maxLag = new AtomicLongArray(nodes.size());
        AtomicLongArray maxLagBytes = new AtomicLongArray(nodes.size());
        AtomicBoolean sawNotReadyAtBound = new AtomicBoolean();
        AtomicInteger selfSearches = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            threads.add(worker("writer-" + w, failures, () -> {
                Random random = new Random(SEED + writer);
                for (int batch = 0; running.get(); batch++) {
                    Map<String, float[]> records = new LinkedHashMap<>();
                    for (int i = 0; i < BATCH; i++) {
                        records.put("w" + writer + "-" + batch + "-" + i, randomVector(random, DIM));
                    }
                    while (running.get()) {
                        HttpResponse<String> response = nodes.http(writer % nodes.size(), "PUT",
                                "/v1/collections/ingest/records", upsertBody(records));
                        if (response.statusCode() == 200) {
                            acknowledged.putAll(records);
                            ackedIds.addAll(records.keySet());
                            break;
                        }
                        if (response.statusCode() != 429) {
                            failures.add("upsert answered " + response.statusCode() + ": " + response.body());
                            return;
                        }
                        refused.incrementAndGet();
                        String code = JSON.readTree(response.body()).path("error").path("code").asText();
                        String retryAfter = response.headers().firstValue("Retry-After").orElse("");
                        if (!code.equals("OVERLOADED") || !retryAfter.equals("1")) {
                            failures.add("a 429 without OVERLOADED and Retry-After: " + retryAfter + " "
                                    + response.body());
                        }
                        Thread.sleep(200); // a client that backs off, if not for the whole Retry-After
                    }
                }
            }));
        }
        threads.add(worker("lag-sampler", failures, () -> {
            while (running.get()) {
                for (int i = 0; i < nodes.size(); i++) {
                    HttpResponse<String> ready = nodes.http(i, "GET", "/ready", null);
                    JsonNode lag = JSON.readTree(ready.body()).path("indexLag");
                    maxLag.accumulateAndGet(i, lag.path("records").asLong(), Math::max);
                    maxLagBytes.accumulateAndGet(i, lag.path("bytes").asLong(), Math::max);
                    if (ready.statusCode() == 503 && lag.path("atBound").asBoolean()) {
                        sawNotReadyAtBound.set(true);
                    }
                }
                Thread.sleep(100);
            }
        }));
        threads.add(worker("self-searcher", failures, () -> {
            Random random = new Random(SEED);
            while (running.get()) {
                if (ackedIds.isEmpty()) {
                    Thread.sleep(20);
                    continue;
                }
                String id = ackedIds.get(random.nextInt(ackedIds.size()));
                JsonNode answer = search(random.nextInt(nodes.size()), "ingest", acknowledged.get(id), 1);
                if (!answer.path("hits").path(0).path("id").asText().equals(id)) {
                    failures.add("a search for acknowledged record " + id + "'s own vector found " + answer);
                }
                selfSearches.incrementAndGet();
            }
        }));
        Thread.sleep(15_000);
        running.set(false);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        assertThat(failures).as("seed " + SEED).isEmpty();
        long worstLag = IntStream.range(0, nodes.size()).mapToLong(maxLag::get).max().orElseThrow();
        System.out.printf("{\"test\":\"OverloadIT.ingest\",\"acknowledged\":%d,\"refused429\":%d,"
                + "\"maxLagPerNode\":%s,\"maxLagBytesPerNode\":%s,\"lagBound\":%d,\"selfSearches\":%d,"
                + "\"seed\":%d}%n", acknowledged.size(), refused.get(), maxLag, maxLagBytes, LAG_BOUND,
                selfSearches.get(), SEED);
        assertThat(refused.get()).as("some writes were refused with 429").isPositive();
        assertThat(sawNotReadyAtBound.get()).as("/ready answered 503 while a node was at its lag bound").isTrue();
        // Above the bound only by what was admitted within one publishing interval: a few batches.
        assertThat(worstLag).as("the worst index lag of any node").isLessThan(LAG_BOUND + 2L * WRITERS * BATCH);
        assertThat(selfSearches.get()).isPositive();

        for (int i = 0; i < nodes.size(); i++) {
            nodes.awaitReady(i, START); // caught up: every node's lag drained
        }
        // An owner logged when its back-pressure started, and when it ended.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> IntStream.range(0, nodes.size())
                .mapToObj(nodes::log).anyMatch(log -> log.contains("WARN  i.g.s.l.LagBoard: index lag "
                        + "reached its bound") && log.contains("back-pressure on writes ended after")));
        JsonNode described = JSON.readTree(nodes.http(0, "GET", "/v1/collections/ingest", null).body());
        assertThat(described.path("count").asLong()).as("records stored").isEqualTo(acknowledged.size());
        assertThat(described.path("indexLag").path("records").asLong()).isZero();
        verifySample(acknowledged, new Random(SEED));
        assertThat(recallAt10("ingest", acknowledged, new Random(SEED + 7), 30)).as("recall@10, seed " + SEED)
                .isGreaterThanOrEqualTo(0.95);
        JsonNode replicas = JSON.readTree(nodes.http(1, "GET", "/v1/collections/ingest/consistency", null).body());
        assertThat(replicas.path("divergentPartitions").asInt()).as(replicas.toString()).isZero();
    }

    @Test
    @Order(2)
    void aNodeStoppedUnderSearchLoadCostsSearchesAtMostTheHedgeDelay() throws Exception {
        create("stall", 16, 12, "");
        Random random = new Random(SEED + 1);
        Map<String, float[]> records = new LinkedHashMap<>();
        for (int i = 0; i < 3_000; i++) {
            records.put("s" + i, randomVector(random, 16));
            if (records.size() == BATCH) {
                putHonouringRetryAfter(0, "stall", upsertBody(records));
                all.putAll(records);
                records.clear();
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            nodes.awaitReady(i, START);
        }
        List<float[]> queries = new ArrayList<>();
        List<Set<String>> truth = new ArrayList<>();
        for (int q = 0; q < 20; q++) {
            float[] query = randomVector(random, 16);
            queries.add(query);
            truth.add(new HashSet<>(exactTop(all, query, 10)));
        }
        record Sample(long start, long nanos, double recall) {}
        List<Sample> samples = new CopyOnWriteArrayList<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            int client = c;
            clients.add(worker("searcher-" + c, failures, () -> {
                for (int n = 0; running.get(); n++) {
                    int q = (n * 7 + client) % queries.size();
                    long start = System.nanoTime();
                    HttpResponse<String> response = nodes.http(client, "POST", "/v1/collections/stall/search",
                            "{\"vector\": " + JSON.writeValueAsString(queries.get(q))
                                    + ", \"k\": 10, \"cache\": false}");
                    long nanos = System.nanoTime() - start;
                    JsonNode answer = JSON.readTree(response.body());
                    if (response.statusCode() != 200 || answer.path("partitions").path("searched").asInt() != 12) {
                        failures.add("search answered " + response.statusCode() + ": " + response.body());
                        continue;
                    }
                    long found = 0;
                    for (JsonNode hit : answer.path("hits")) {
                        found += truth.get(q).contains(hit.path("id").asText()) ? 1 : 0;
                    }
                    samples.add(new Sample(start, nanos, found / 10.0));
                }
            }));
        }
        Thread.sleep(3_000);
        long stopped = System.nanoTime();
        nodes.signal(2, "STOP");
        Thread.sleep(15_000);
        long continued = System.nanoTime();
        nodes.signal(2, "CONT");
        Thread.sleep(3_000);
        running.set(false);
        for (Thread client : clients) {
            client.join(60_000);
        }
        assertThat(failures).as("every search answered every partition, seed " + SEED).isEmpty();

        long[] before = samples.stream().filter(s -> s.start() < stopped).mapToLong(Sample::nanos).sorted()
                .toArray();
        long settled = stopped + TimeUnit.SECONDS.toNanos(1);
        long[] during = samples.stream().filter(s -> s.start() >= settled && s.start() < continued)
                .mapToLong(Sample::nanos).sorted().toArray();
        assertThat(during.length).as("searches while the node was stopped").isGreaterThan(50);
        System.out.printf("{\"test\":\"OverloadIT.sigstop\",\"hedgeDelayMs\":%d,\"beforeP50Ms\":%.2f,"
                + "\"beforeP99Ms\":%.2f,\"searchesWhileStopped\":%d,\"p50Ms\":%.2f,\"p90Ms\":%.2f,\"p99Ms\":%.2f,"
                + "\"maxMs\":%.2f,\"searches\":%d,\"seed\":%d}%n", HEDGE_MS, percentile(before, 0.5),
                percentile(before, 0.99), during.length, percentile(during, 0.5), percentile(during, 0.9),
                percentile(during, 0.99), during[during.length - 1] / 1e6, samples.size(), SEED);
        String slowest = samples.stream().filter(s -> s.start() >= settled && s.start() < continued)
                .sorted(Comparator.comparingLong(Sample::nanos).reversed()).limit(5)
                .map(s -> String.format("%.0f ms at %.1f s", s.nanos() / 1e6, (s.start() - stopped) / 1e9))
                .toList().toString();
        assertThat(during[during.length - 1] / 1e6).as("the slowest search while the node was stopped, ms; the "
                + "slowest searches after the stop: " + slowest).isLessThan(HEDGE_MS + 1_000);
        // Recall per second of the run, before, during and after the stop.
        Map<Long, List<Sample>> bySecond = new TreeMap<>();
        samples.forEach(s -> bySecond.computeIfAbsent((s.start() - stopped) / 1_000_000_000L,
                second -> new ArrayList<>()).add(s));
        bySecond.forEach((second, inSecond) -> assertThat(inSecond.stream().mapToDouble(Sample::recall).average()
                .orElseThrow()).as("recall@10 in second " + second + " after the stop, seed " + SEED)
                .isGreaterThanOrEqualTo(0.95));
    }

    private void create(String name, int dimension, int partitions, String extra) throws Exception {
        HttpResponse<String> created = nodes.http(0, "PUT", "/v1/collections/" + name, "{\"dimension\": "
                + dimension + ", \"metric\": \"l2\", \"partitions\": " + partitions + ", \"backups\": 1" + extra
                + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /** Upserts through node {@code via}, retrying after the Retry-After of a 429 as a client should. */
    private void putHonouringRetryAfter(int via, String collection, String body) throws Exception {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response = nodes.http(via, "PUT", "/v1/collections/" + collection + "/records", body);
            if (response.statusCode() != 429 || attempt == 60) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                return;
            }
            Thread.sleep(1_000L * Integer.parseInt(response.headers().firstValue("Retry-After").orElseThrow()));
        }
    }

    /** Reads 300 acknowledged records back and finds each by its own vector. */
    private void verifySample(Map<String, float[]> acknowledged, Random random) throws Exception {
        List<String> ids = new ArrayList<>(acknowledged.keySet());
        Collections.shuffle(ids, random);
        for (String id : ids.subList(0, Math.min(300, ids.size()))) {
            HttpResponse<String> response = nodes.http(random.nextInt(nodes.size()), "GET",
                    "/v1/collections/ingest/records/" + id, null);
            assertThat(response.statusCode()).as("acknowledged record " + id + ", seed " + SEED).isEqualTo(200);
            float[] stored = JSON.treeToValue(JSON.readTree(response.body()).path("vector"), float[].class);
            assertThat(stored).as(id).isEqualTo(acknowledged.get(id));
        }
    }

    private double recallAt10(String collection, Map<String, float[]> records, Random random, int queries)
            throws Exception {
        double recall = 0;
        for (int q = 0; q < queries; q++) {
            float[] query = randomVector(random, records.values().iterator().next().length);
            Set<String> exact = new HashSet<>(exactTop(records, query, 10));
            JsonNode answer = search(q % nodes.size(), collection, query, 10);
            long found = 0;
            for (JsonNode hit : answer.path("hits")) {
                found += exact.contains(hit.path("id").asText()) ? 1 : 0;
            }
            recall += found / 10.0;
        }
        return recall / queries;
    }

    private JsonNode search(int via, String collection, float[] vector, int k) throws Exception {
        HttpResponse<String> response = nodes.http(via, "POST", "/v1/collections/" + collection + "/search",
                "{\"vector\": " + JSON.writeValueAsString(vector) + ", \"k\": " + k + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
