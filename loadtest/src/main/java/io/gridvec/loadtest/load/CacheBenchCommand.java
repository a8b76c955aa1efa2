package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.loadtest.TempDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench cache}: the same searches answered from a node's result cache against searched again
 * ({@code "cache": false}), on running nodes over HTTP, one request at a time, all sent to the first node. The two
 * ways alternate in rounds, so both see the same machine, and every cached answer is checked against the answer the
 * cache kept.
 */
@Command(name = "cache", sortOptions = false,
        description = {
            "Starts --nodes nodes (./gridvec start) in a temporary directory, creates a collection (l2, --backups), "
                    + "upserts --n random vectors and waits until they are indexed. Then, in --rounds alternating "
                    + "rounds, sends the same --queries searches with \"cache\": false (searched every time) and "
                    + "without (answered from the result cache after the first round), one request at a time, to the "
                    + "first node. "
                    + "Prints the latency of each way and their ratio.",
            ""})
public final class CacheBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--nodes", defaultValue = "1", description = "Node processes (default ${DEFAULT-VALUE}).")
    private int nodes;

    @Option(names = "--backups", defaultValue = "0", description = "Backups of each partition, below --nodes "
            + "(default ${DEFAULT-VALUE}).")
    private int backups;

    @Option(names = "--n", defaultValue = "20000", description = "Records (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--dim", defaultValue = "128", description = "Dimension (default ${DEFAULT-VALUE}).")
    private int dim;

    @Option(names = "--queries", defaultValue = "200", description = "Distinct queries, repeated every round "
            + "(default ${DEFAULT-VALUE}).")
    private int queries;

    @Option(names = "--k", defaultValue = "10", description = "Hits per search (default ${DEFAULT-VALUE}).")
    private int k;

    @Option(names = "--rounds", defaultValue = "6", description = "Rounds, alternating searched and cached "
            + "(default ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        String launcher = LocalNode.launcher("gridvec bench cache");
        if (nodes < 1 || backups < 0 || backups >= nodes || n < 1 || dim < 1 || queries < 1 || k < 1
                || k > 10_000 || rounds < 4) {
            throw new IllegalArgumentException("--nodes, --n, --dim and --queries must be positive, --backups in "
                    + "[0, --nodes), --k in [1, 10000], --rounds at least 4");
        }
        try (TempDirectory work = TempDirectory.create("gridvec-cache-");
                LocalCluster cluster = LocalCluster.start(launcher, work.path(), nodes, "cache-bench",
                        Duration.ofMinutes(5))) {
            RestTargets http = new RestTargets(cluster.urls().subList(0, 1), Duration.ofMinutes(1));
            System.out.println(JSON.writeValueAsString(measure(http)));
        }
        return 0;
    }

    private Map<String, Object> measure(RestTargets http) throws Exception {
        http.expect(201, "PUT", "/v1/collections/bench", JSON.createObjectNode().put("dimension", dim)
                .put("metric", "l2").put("backups", backups).toString());
        Random random = new Random(seed);
        Loader.putRandom(http, "bench", n, dim, random);
        new Loader(http, "bench", new PrintWriter(System.err, true)).awaitIndexed(System.nanoTime(),
                Duration.ofMinutes(30));
        String[] bodies = new String[queries];
        for (int q = 0; q < queries; q++) {
            float[] vector = new float[dim];
            for (int d = 0; d < dim; d++) {
                vector[d] = random.nextFloat();
            }
            bodies[q] = JSON.createObjectNode().put("k", k).set("vector", JSON.valueToTree(vector)).toString();
        }
        long[] searched = new long[queries * rounds];
        long[] cached = new long[queries * rounds];
        String[] kept = new String[queries];
        int searches = 0;
        int hits = 0;
        int compared = 0;
        for (int round = 0; round < rounds; round++) {
            boolean cache = round % 2 == 1;
            for (int q = 0; q < queries; q++) {
                String body = cache ? bodies[q] : bodies[q].replaceFirst("\\}$", ",\"cache\":false}");
                long started = System.nanoTime();
                JsonNode answer = JSON.readTree(http.expect(200, "POST", "/v1/collections/bench/search", body));
                long nanos = System.nanoTime() - started;
                String found = answer.path("hits").toString();
                if (answer.path("cached").asBoolean()) {
                    if (!found.equals(kept[q])) {
                        throw new IOException("query " + q + " was answered " + found + " from the cache, but "
                                + kept[q] + " when the cache kept it");
                    }
                    compared++;
                    cached[hits++] = nanos;
                } else if (cache && round > 1) {
                    throw new IOException("query " + q + " was not answered from the cache in round " + round);
                } else {
                    // Also the first round with the cache, which fills it with these answers.
                    kept[q] = cache ? found : kept[q];
                    searched[searches++] = nanos;
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "cache");
        report.put("nodes", nodes);
        report.put("backups", backups);
        report.put("records", n);
        report.put("dim", dim);
        report.put("k", k);
        report.put("queries", queries);
        report.put("searched", UpdateBenchCommand.latency(Arrays.copyOf(searched, searches)));
        report.put("cached", UpdateBenchCommand.latency(Arrays.copyOf(cached, hits)));
        report.put("meanRatio", Math.round(100.0 * UpdateBenchCommand.mean(searched, searches)
                / UpdateBenchCommand.mean(cached, hits)) / 100.0);
        report.put("cachedAnswersEqualToKept", compared);
        report.put("nodeCache", JSON.readTree(http.expect(200, "GET", "/v1/search/cache", null)));
        return report;
    }
}
