package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Puts a data set's base vectors into a collection over REST (record id = the vector's position) and says whether a
 * collection already holds them. Ingest runs {@code clients} threads sending batches as fast as the cluster takes them:
 * a 429 answer is honoured (wait {@code Retry-After}, send the batch again) and counted; any other failure stops the
 * load. Then it waits until every owner has indexed every write. Not thread-safe.
 */
final class Loader {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Records compared with the data set before a collection is reused. */
    private static final int SAMPLES = 5;

    private final RestTargets targets;
    private final String collection;
    private final PrintWriter log;

    Loader(RestTargets targets, String collection, PrintWriter log) {
        this.targets = targets;
        this.collection = collection;
        this.log = log;
    }

    /**
     * Returns true when the collection holds exactly {@code base} (count, dimension, metric and sampled vectors), false
     * when it does not exist.
     *
     * @throws IllegalArgumentException when it exists with other data: the load test never overwrites it
     * @throws IOException when the cluster does not answer
     * @throws InterruptedException when interrupted
     */
    boolean holds(float[][] base, String metric) throws IOException, InterruptedException {
        RestTargets.Response response = targets.call("GET", "/v1/collections/" + collection, null);
        if (response.status() == 404) {
            return false;
        }
        if (response.status() != 200) {
            throw new IOException("GET /v1/collections/" + collection + " answered " + response.status() + ": "
                    + response.body());
        }
        JsonNode spec = JSON.readTree(response.body());
        String differs = null;
        if (spec.path("dimension").asInt() != base[0].length || !spec.path("metric").asText().equals(metric)) {
            differs = "dimension " + spec.path("dimension") + " and metric " + spec.path("metric");
        } else if (spec.path("count").asLong() != base.length) {
            differs = spec.path("count") + " records";
        } else {
            for (int s = 0; s < SAMPLES && differs == null; s++) {
                int position = (int) ((long) s * (base.length - 1) / Math.max(1, SAMPLES - 1));
                differs = compare(position, base[position]);
            }
        }
        if (differs != null) {
            throw new IllegalArgumentException("collection " + collection + " exists with other data (" + differs
                    + ", expected " + base.length + " x " + base[0].length + " " + metric + " from this data set); "
                    + "delete it (DELETE /v1/collections/" + collection + ") or name another with --collection");
        }
        return true;
    }

    private String compare(int position, float[] expected) throws IOException, InterruptedException {
        RestTargets.Response response = targets.call("GET", "/v1/collections/" + collection + "/records/" + position,
                null);
        if (response.status() != 200) {
            return "record " + position + " answered " + response.status();
        }
        JsonNode vector = JSON.readTree(response.body()).path("vector");
        for (int d = 0; d < expected.length; d++) {
            if ((float) vector.path(d).asDouble() != expected[d]) {
                return "record " + position + " has another vector";
            }
        }
        return null;
    }

    /**
     * Creates the collection.
     *
     * @throws IOException when the cluster refuses
     * @throws InterruptedException when interrupted
     */
    void create(int dimension, String metric, int partitions, int backups) throws IOException, InterruptedException {
        String spec = JSON.createObjectNode().put("dimension", dimension).put("metric", metric)
                .put("partitions", partitions).put("backups", backups).toString();
        targets.expect(201, "PUT", "/v1/collections/" + collection, spec);
    }

    /**
     * Upserts every base vector in batches of {@code batch} from {@code clients} threads, then waits until the writes
     * are indexed; returns the ingest step (achievedRate in records/s acknowledged).
     *
     * @throws IOException when a batch fails for another reason than back-pressure
     * @throws InterruptedException when interrupted
     */
    Step ingest(float[][] base, int batch, int clients, Duration indexTimeout, PrintWriter progress)
            throws IOException, InterruptedException {
        StepRecorder recorder = new StepRecorder();
        int batches = (base.length + batch - 1) / batch;
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try (Progress ticker = new Progress(recorder, "ingest batches of " + batch, progress)) {
            for (int c = 0; c < clients; c++) {
                threads.add(Thread.ofPlatform().name("loadtest-ingest-" + c).start(() -> {
                    try {
                        for (int b = next.getAndIncrement(); b < batches && failure.get() == null;
                                b = next.getAndIncrement()) {
                            send(base, b * batch, Math.min(base.length, (b + 1) * batch), recorder);
                        }
                    } catch (IOException | RuntimeException e) {
                        failure.compareAndSet(null, e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        if (failure.get() != null) {
            throw new IOException("ingest stopped: " + failure.get().getMessage(), failure.get());
        }
        double ackSeconds = recorder.elapsedNanos() / 1e9;
        double indexedSeconds = awaitIndexed(recorder.startNanos(), indexTimeout);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("records", base.length);
        extra.put("batch", batch);
        extra.put("acknowledgedSeconds", Step.round(ackSeconds));
        extra.put("indexedSeconds", Step.round(indexedSeconds));
        extra.put("indexedRate", Step.round(base.length / indexedSeconds));
        return Step.of("ingest", null, clients, recorder, base.length / ackSeconds, null, extra);
    }

    /** Sends one batch until it is acknowledged, honouring 429s. */
    private void send(float[][] base, int from, int to, StepRecorder recorder)
            throws IOException, InterruptedException {
        StringBuilder json = new StringBuilder((to - from) * base[0].length * 12).append("{\"records\":[");
        for (int i = from; i < to; i++) {
            Vectors.appendRecord(i > from ? json.append(',') : json, Integer.toString(i), base[i]);
        }
        byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        while (true) {
            long sent = System.nanoTime();
            RestTargets.Response response = targets.call("PUT", "/v1/collections/" + collection + "/records", body);
            if (response.ok()) {
                recorder.record("batch", sent, StepRecorder.Outcome.OK, null);
                return;
            }
            if (response.status() != 429) {
                recorder.record("batch", sent, StepRecorder.Outcome.ERROR, response.body());
                throw new IOException("records " + from + ".." + (to - 1) + ": PUT answered " + response.status()
                        + ": " + response.body());
            }
            recorder.record("batch", sent, StepRecorder.Outcome.THROTTLED, null);
            TimeUnit.SECONDS.sleep(Math.max(1, response.retryAfterSeconds()));
        }
    }

    /**
     * Waits until the collection reports no write left to index and every shard READY; returns seconds since
     * {@code startNanos}.
     *
     * @throws IOException when that takes longer than {@code timeout}
     * @throws InterruptedException when interrupted
     */
    double awaitIndexed(long startNanos, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode spec = JSON.readTree(targets.expect(200, "GET", "/v1/collections/" + collection, null));
            long lag = spec.path("indexLag").path("records").asLong();
            boolean building = false;
            for (JsonNode partition : spec.path("partitionStates")) {
                for (JsonNode shard : partition.path("shards")) {
                    building |= !"READY".equals(shard.path("state").asText());
                }
            }
            if (lag == 0 && !building) {
                return (System.nanoTime() - startNanos) / 1e9;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("collection " + collection + " still has " + lag + " writes to index after "
                        + timeout.toSeconds() + " s");
            }
            log.printf("waiting for the index: %d writes left%n", lag);
            log.flush();
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** Upserts records r0 to r{n - 1} with uniformly random vectors, in batches of 1,000 (the benchmarks' data). */
    static void putRandom(RestTargets http, String collection, int n, int dim, Random random)
            throws IOException, InterruptedException {
        for (int from = 0; from < n; from += 1000) {
            ArrayNode records = JSON.createArrayNode();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                ArrayNode vector = records.addObject().put("id", "r" + i).putArray("vector");
                for (int d = 0; d < dim; d++) {
                    vector.add(random.nextFloat());
                }
            }
            http.expect(200, "PUT", "/v1/collections/" + collection + "/records",
                    JSON.createObjectNode().set("records", records).toString());
        }
    }
}
