package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.loadtest.TempDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench restart}: how long a node holding a collection takes to reach {@code /ready} when it restarts from
 * its shard snapshots, against rebuilding every shard from the stored records. Runs a real node process with the
 * {@code gridvec} launcher and talks to it over HTTP only.
 */
@Command(name = "restart", sortOptions = false,
        description = {
            "Starts one node (./gridvec start) in a temporary directory, creates a collection (l2, no backups), "
                    + "upserts --n random vectors over HTTP, waits until every write is indexed, and stops the node "
                    + "with SIGTERM (which writes shard snapshots). Then it times two restarts, each from process "
                    + "start to GET /ready = 200: one with the snapshots, one with the snapshot directory deleted "
                    + "(every shard rebuilt from its records). Prints both times and their ratio.",
            ""})
public final class RestartBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--n", defaultValue = "200000", description = "Records (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--dim", defaultValue = "128", description = "Dimension (default ${DEFAULT-VALUE}).")
    private int dim;

    @Option(names = "--partitions", defaultValue = "16", description = "Partitions (default ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--m", description = "HNSW M (default ${DEFAULT-VALUE}, a collection's default).")
    private int m = HnswIndex.DEFAULT_M;

    @Option(names = "--ef-construction",
            description = "HNSW efConstruction (default ${DEFAULT-VALUE}, a collection's default).")
    private int efConstruction = HnswIndex.DEFAULT_EF_CONSTRUCTION;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        String launcher = LocalNode.launcher("gridvec bench restart");
        try (TempDirectory work = TempDirectory.create("gridvec-restart-")) {
            LocalNode node = LocalNode.single(launcher, work.path().resolve("node"), "restart-bench");
            RestTargets http = new RestTargets(List.of(node.url()), Duration.ofMinutes(5));
            long[] loadMs = new long[1];
            run(node, () -> {
                long started = System.nanoTime();
                load(http);
                loadMs[0] = (System.nanoTime() - started) / 1_000_000;
            });
            long withSnapshots = run(node, () -> check(http, "snapshot"));
            deleteTree(node.dataDir().resolve("shards"));
            long rebuilt = run(node, () -> check(http, "scan"));
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("benchmark", "restart");
            report.put("records", n);
            report.put("dim", dim);
            report.put("partitions", partitions);
            report.put("m", m);
            report.put("efConstruction", efConstruction);
            report.put("loadAndIndexMs", loadMs[0]);
            report.put("readyWithSnapshotsMs", withSnapshots);
            report.put("readyRebuildingMs", rebuilt);
            report.put("speedup", Math.round(100.0 * rebuilt / withSnapshots) / 100.0);
            System.out.println(JSON.writeValueAsString(report));
        }
        return 0;
    }

    /** Starts the node, runs {@code step} once it is ready, stops it with SIGTERM; returns the time to ready. */
    private static long run(LocalNode node, Step step) throws Exception {
        long started = System.nanoTime();
        node.start();
        try {
            node.awaitReady(Duration.ofHours(1));
            long readyMs = (System.nanoTime() - started) / 1_000_000;
            step.run();
            return readyMs;
        } finally {
            node.stop();
        }
    }

    private void load(RestTargets http) throws Exception {
        ObjectNode spec = JSON.createObjectNode().put("dimension", dim).put("metric", "l2")
                .put("partitions", partitions).put("backups", 0);
        spec.putObject("hnsw").put("m", m).put("efConstruction", efConstruction);
        http.expect(201, "PUT", "/v1/collections/bench", spec.toString());
        Loader.putRandom(http, "bench", n, dim, new Random(seed));
        // The snapshot must hold the whole collection: wait until no shard has writes left to index.
        new Loader(http, "bench", new PrintWriter(System.err, true)).awaitIndexed(System.nanoTime(),
                Duration.ofHours(1));
    }

    /** Fails unless every record is indexed and every shard holding records was built {@code from} as expected. */
    private void check(RestTargets http, String from) throws Exception {
        long records = 0;
        for (JsonNode partition : JSON.readTree(http.expect(200, "GET", "/v1/collections/bench", null))
                .path("partitionStates")) {
            for (JsonNode shard : partition.path("shards")) {
                records += shard.path("records").asLong();
                if (!from.equals(shard.path("builtFrom").asText())) {
                    throw new IllegalStateException("shard " + partition.path("partition") + " was built from "
                            + shard.path("builtFrom") + ", expected " + from);
                }
            }
        }
        if (records != n) {
            throw new IllegalStateException("ready with " + records + " of " + n + " records indexed");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Work done while the node runs. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
