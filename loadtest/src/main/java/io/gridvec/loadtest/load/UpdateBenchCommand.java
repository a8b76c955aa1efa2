package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridvec.loadtest.TempDirectory;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench update}: replacing a record's vector with one {@code PATCH} against {@code DELETE} then {@code PUT} of
 * the same record, on a running node over HTTP, one request at a time. The two ways alternate in rounds, so both see
 * the same machine.
 */
@Command(name = "update", sortOptions = false,
        description = {
            "Starts one node (./gridvec start) in a temporary directory, creates a collection (l2, no backups) and "
                    + "upserts --n random vectors. Then, after --warmup-rounds rounds that are not measured, in "
                    + "--rounds alternating rounds of --updates records each, "
                    + "replaces vectors with PATCH /records/{id} and with DELETE /records/{id} followed by PUT "
                    + "/records, one request at a time. Prints the latency of each way per record and their ratio.",
            ""})
public final class UpdateBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--n", defaultValue = "20000", description = "Records (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--dim", defaultValue = "128", description = "Dimension (default ${DEFAULT-VALUE}).")
    private int dim;

    @Option(names = "--updates", defaultValue = "500", description = "Records updated per round "
            + "(default ${DEFAULT-VALUE}).")
    private int updates;

    @Option(names = "--rounds", defaultValue = "6", description = "Rounds, alternating PATCH and DELETE+PUT "
            + "(default ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--warmup-rounds", defaultValue = "4", description = "Rounds before the measured ones, "
            + "alternating the same way (default ${DEFAULT-VALUE}).")
    private int warmupRounds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        String launcher = LocalNode.launcher("gridvec bench update");
        if (n < 1 || updates < 1 || updates > n || rounds < 2 || warmupRounds < 0 || dim < 1) {
            throw new IllegalArgumentException("--n, --dim and --updates must be positive, --updates at most --n, "
                    + "--rounds at least 2, --warmup-rounds not negative");
        }
        try (TempDirectory work = TempDirectory.create("gridvec-update-")) {
            LocalNode node = LocalNode.single(launcher, work.path().resolve("node"), "update-bench");
            node.start();
            try {
                node.awaitReady(Duration.ofMinutes(5));
                RestTargets http = new RestTargets(List.of(node.url()), Duration.ofMinutes(1));
                System.out.println(JSON.writeValueAsString(measure(http)));
            } finally {
                node.stop();
            }
        }
        return 0;
    }

    private Map<String, Object> measure(RestTargets http) throws Exception {
        http.expect(201, "PUT", "/v1/collections/bench", JSON.createObjectNode().put("dimension", dim)
                .put("metric", "l2").put("backups", 0).toString());
        Random random = new Random(seed);
        Loader.putRandom(http, "bench", n, dim, random);
        long[] patch = new long[updates * ((rounds + warmupRounds) / 2 + 1)];
        long[] replace = new long[patch.length];
        int patched = 0;
        int replaced = 0;
        for (int round = -warmupRounds; round < rounds; round++) {
            if (round == 0) {
                patched = 0;
                replaced = 0;
            }
            for (int u = 0; u < updates; u++) {
                String id = "r" + random.nextInt(n);
                if (Math.floorMod(round, 2) == 0) {
                    String body = JSON.createObjectNode().set("vector", vector(random)).toString();
                    long started = System.nanoTime();
                    http.expect(200, "PATCH", "/v1/collections/bench/records/" + id, body);
                    patch[patched++] = System.nanoTime() - started;
                } else {
                    ObjectNode record = JSON.createObjectNode().put("id", id).set("vector", vector(random));
                    String body = JSON.createObjectNode().set("records", JSON.createArrayNode().add(record)).toString();
                    long started = System.nanoTime();
                    http.expect(200, "DELETE", "/v1/collections/bench/records/" + id, null);
                    http.expect(200, "PUT", "/v1/collections/bench/records", body);
                    replace[replaced++] = System.nanoTime() - started;
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "update");
        report.put("records", n);
        report.put("dim", dim);
        report.put("updatesPerWay", patched);
        Map<String, Double> patchLatency = latency(Arrays.copyOf(patch, patched));
        Map<String, Double> replaceLatency = latency(Arrays.copyOf(replace, replaced));
        report.put("patch", patchLatency);
        report.put("deleteThenPut", replaceLatency);
        report.put("meanRatio", Math.round(100.0 * mean(replace, replaced) / mean(patch, patched)) / 100.0);
        report.put("p50Ratio", Math.round(100.0 * replaceLatency.get("p50Ms") / patchLatency.get("p50Ms")) / 100.0);
        return report;
    }

    private ArrayNode vector(Random random) {
        ArrayNode vector = JSON.createArrayNode();
        for (int d = 0; d < dim; d++) {
            vector.add(random.nextFloat());
        }
        return vector;
    }

    /** Sorts {@code nanos} and returns their mean, p50 and p99 in milliseconds. */
    static Map<String, Double> latency(long[] nanos) {
        Arrays.sort(nanos);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("meanMs", round(mean(nanos, nanos.length) / 1e6));
        out.put("p50Ms", round(nanos[nanos.length / 2] / 1e6));
        out.put("p99Ms", round(nanos[Math.min(nanos.length - 1, nanos.length * 99 / 100)] / 1e6));
        return out;
    }

    static double mean(long[] nanos, int count) {
        return Arrays.stream(nanos, 0, count).average().orElse(0);
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
