package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.loadtest.TempDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
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
 * {@code bench backup}: how long a snapshot of a loaded collection takes, and how long the collection takes to come
 * back from it after it was dropped (the restore, then until every node is ready again: the recovery time), on
 * running nodes over HTTP.
 */
@Command(name = "backup", sortOptions = false,
        description = {
            "Starts --nodes nodes (./gridvec start) in a temporary directory, creates a collection (l2, --backups), "
                    + "upserts --n random vectors and waits until they are indexed. Then takes a snapshot "
                    + "(POST /v1/snapshots), drops the collection, restores it (POST /v1/snapshots/NAME/restore) and "
                    + "waits until every node answers /ready with 200, checking that every record is back. "
                    + "Prints the time of each step and the snapshot's size on disk.",
            ""})
public final class BackupBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(30);

    @Option(names = "--nodes", defaultValue = "1", description = "Node processes (default ${DEFAULT-VALUE}).")
    private int nodes;

    @Option(names = "--backups", defaultValue = "0", description = "Backups of each partition, below --nodes "
            + "(default ${DEFAULT-VALUE}).")
    private int backups;

    @Option(names = "--n", defaultValue = "100000", description = "Records (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--dim", defaultValue = "128", description = "Dimension (default ${DEFAULT-VALUE}).")
    private int dim;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        String launcher = LocalNode.launcher("gridvec bench backup");
        if (nodes < 1 || backups < 0 || backups >= nodes || n < 1 || dim < 1) {
            throw new IllegalArgumentException("--nodes, --n and --dim must be positive, --backups in [0, --nodes)");
        }
        try (TempDirectory work = TempDirectory.create("gridvec-backup-");
                LocalCluster cluster = LocalCluster.start(launcher, work.path(), nodes, "backup-bench",
                        Duration.ofMinutes(5))) {
            System.out.println(JSON.writeValueAsString(measure(cluster.urls(), work.path())));
        }
        return 0;
    }

    private Map<String, Object> measure(List<URI> urls, Path work) throws Exception {
        RestTargets http = new RestTargets(urls.subList(0, 1), STEP_TIMEOUT);
        http.expect(201, "PUT", "/v1/collections/bench", JSON.createObjectNode().put("dimension", dim)
                .put("metric", "l2").put("backups", backups).toString());
        Loader.putRandom(http, "bench", n, dim, new Random(seed));
        new Loader(http, "bench", new PrintWriter(System.err, true)).awaitIndexed(System.nanoTime(), STEP_TIMEOUT);
        long count = count(http);

        long started = System.nanoTime();
        http.expect(201, "POST", "/v1/snapshots", "{\"name\": \"bench\"}");
        long snapshotMs = millisSince(started);

        http.expect(200, "DELETE", "/v1/collections/bench", null);
        started = System.nanoTime();
        http.expect(200, "POST", "/v1/snapshots/bench/restore", null);
        long restoreMs = millisSince(started);
        awaitReady(urls);
        long readyMs = millisSince(started);
        long restored = count(http);
        if (restored != count) {
            throw new IOException("the restored collection holds " + restored + " records, the snapshot " + count);
        }

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("benchmark", "backup");
        report.put("nodes", nodes);
        report.put("backups", backups);
        report.put("records", count);
        report.put("dim", dim);
        report.put("snapshotMs", snapshotMs);
        report.put("snapshotBytes", snapshotBytes(work));
        report.put("restoreMs", restoreMs);
        report.put("restoreUntilReadyMs", readyMs);
        return report;
    }

    private static long count(RestTargets http) throws IOException, InterruptedException {
        return JSON.readTree(http.expect(200, "GET", "/v1/collections/bench", null)).path("count").asLong();
    }

    /** Waits until every node answers {@code /ready} with 200: their shards of the restored collection are built. */
    private static void awaitReady(List<URI> urls) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        for (URI url : urls) {
            RestTargets node = new RestTargets(List.of(url), Duration.ofMinutes(1));
            while (node.call("GET", "/ready", null).status() != 200) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(url + " is not ready " + STEP_TIMEOUT + " after the restore");
                }
                Thread.sleep(100);
            }
        }
    }

    /** The bytes of the snapshot's files on every node ({@code <dataDir>/ignite/snapshots/bench}). */
    private static long snapshotBytes(Path work) throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(file -> file.toString().contains("/snapshots/bench/") && Files.isRegularFile(file))
                    .mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
