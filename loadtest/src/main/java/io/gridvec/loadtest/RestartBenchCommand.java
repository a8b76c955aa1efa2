package io.gridvec.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
final class RestartBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Option(names = "--n", defaultValue = "200000", description = "Records (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--dim", defaultValue = "128", description = "Dimension (default ${DEFAULT-VALUE}).")
    private int dim;

    @Option(names = "--partitions", defaultValue = "16", description = "Partitions (default ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(names = "--m", defaultValue = "32", description = "HNSW M (default ${DEFAULT-VALUE}).")
    private int m;

    @Option(names = "--ef-construction", defaultValue = "200",
            description = "HNSW efConstruction (default ${DEFAULT-VALUE}).")
    private int efConstruction;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        String launcher = System.getenv("GRIDVEC_LAUNCHER");
        if (launcher == null) {
            System.err.println("bench restart: run it through ./gridvec bench restart (GRIDVEC_LAUNCHER is unset)");
            return BenchCommand.USAGE_ERROR;
        }
        try (TempDirectory work = TempDirectory.create("gridvec-restart-")) {
            Node node = new Node(launcher, work.path());
            long[] loadMs = new long[1];
            node.run(() -> {
                long started = System.nanoTime();
                load(node);
                loadMs[0] = (System.nanoTime() - started) / 1_000_000;
            });
            long withSnapshots = node.run(() -> check(node, "snapshot"));
            deleteTree(work.path().resolve("data").resolve("shards"));
            long rebuilt = node.run(() -> check(node, "scan"));
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

    private void load(Node node) throws Exception {
        ObjectNode spec = JSON.createObjectNode().put("dimension", dim).put("metric", "l2")
                .put("partitions", partitions).put("backups", 0);
        spec.putObject("hnsw").put("m", m).put("efConstruction", efConstruction);
        node.call("PUT", "/v1/collections/bench", spec.toString(), 201);
        Random random = new Random(seed);
        for (int from = 0; from < n; from += 1000) {
            ArrayNode records = JSON.createArrayNode();
            for (int i = from; i < Math.min(n, from + 1000); i++) {
                ArrayNode vector = records.addObject().put("id", "r" + i).putArray("vector");
                for (int d = 0; d < dim; d++) {
                    vector.add(random.nextFloat());
                }
            }
            node.call("PUT", "/v1/collections/bench/records",
                    JSON.createObjectNode().set("records", records).toString(), 200);
        }
        // The snapshot must hold the whole collection: wait until no shard has writes left to index.
        while (pending(node) > 0) {
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    private static long pending(Node node) throws Exception {
        long pending = 0;
        for (JsonNode partition : JSON.readTree(node.call("GET", "/v1/collections/bench", null, 200))
                .path("partitionStates")) {
            for (JsonNode shard : partition.path("shards")) {
                pending += shard.path("pending").asLong() + ("READY".equals(shard.path("state").asText()) ? 0 : 1);
            }
        }
        return pending;
    }

    /** Fails unless every record is indexed and every shard holding records was built {@code from} as expected. */
    private void check(Node node, String from) throws Exception {
        long records = 0;
        for (JsonNode partition : JSON.readTree(node.call("GET", "/v1/collections/bench", null, 200))
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

    /** One node process on free loopback ports, started and stopped by {@link #run}. */
    private static final class Node {
        private final String launcher;
        private final Path dir;
        private final List<String> ports = new ArrayList<>();

        Node(String launcher, Path dir) throws IOException {
            this.launcher = launcher;
            this.dir = dir;
            for (int i = 0; i < 4; i++) {
                try (ServerSocket socket = new ServerSocket(0)) {
                    ports.add(String.valueOf(socket.getLocalPort()));
                }
            }
        }

        /** Starts the node, runs {@code step} once it is ready, stops it with SIGTERM; returns the time to ready. */
        long run(Step step) throws Exception {
            long started = System.nanoTime();
            ProcessBuilder builder = new ProcessBuilder(launcher, "start", "--rest-port", ports.get(0),
                    "--discovery-port", ports.get(1), "--communication-port", ports.get(2), "--client-port",
                    ports.get(3))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
            builder.environment().put("GRIDVEC_SKIP_BUILD", "1");
            Process process = builder.start();
            try {
                while (!ready()) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the node exited; see its log:\n"
                                + Files.readString(dir.resolve("node.log")));
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                long readyMs = (System.nanoTime() - started) / 1_000_000;
                step.run();
                return readyMs;
            } finally {
                process.destroy();
                if (!process.waitFor(300, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }

        private boolean ready() throws InterruptedException {
            try {
                return HTTP.send(request("GET", "/ready", null), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false; // not listening yet
            }
        }

        String call(String method, String path, String body, int expected) throws IOException, InterruptedException {
            HttpResponse<String> response = HTTP.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        }

        private HttpRequest request(String method, String path, String body) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(0) + path))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build();
        }
    }
}
