package io.gridvec.loadtest.load;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The options every load-test scenario shares: where the cluster is, the collection, search settings, output. */
final class RunOptions {

    @Option(names = "--targets", split = ",", paramLabel = "URL",
            description = "REST URLs of a running cluster's nodes, comma-separated; requests go round-robin.")
    List<URI> targets;

    @Option(names = "--nodes", paramLabel = "N", description = "Instead of --targets: start N node processes from "
            + "this checkout (./gridvec start, loopback, free ports, data under --work-dir) and stop them at the end.")
    Integer nodes;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "With --nodes: where the nodes keep data and "
            + "logs (kept afterwards). Default: a temporary directory, deleted at the end unless the run fails.")
    Path workDir;

    @Option(names = "--collection", description = "The collection to load and search. Default: "
            + "lt-<dataset>-<n>x<dim>-s<seed>. An existing collection is reused when it holds exactly this data set.")
    String collection;

    @Option(names = "--partitions", description = "Partitions of a collection the load test creates. "
            + "Default: ${DEFAULT-VALUE}.")
    int partitions = 16;

    @Option(names = "--backups", description = "Backups of a collection the load test creates. "
            + "Default: ${DEFAULT-VALUE}.")
    int backups = 1;

    @Option(names = "--batch", description = "Records per upsert when loading. Default: ${DEFAULT-VALUE}.")
    int batch = 500;

    @Option(names = "--load-clients", description = "Concurrent upserts when loading. Default: ${DEFAULT-VALUE}.")
    int loadClients = 4;

    @Option(names = "--k", description = "Neighbours per search; recall is recall@k. Default: ${DEFAULT-VALUE}.")
    int k = 10;

    @Option(names = "--ef", description = "Search beam width sent with every search. Default: the lowest ef that "
            + "reaches --recall on the first --tune-queries queries (a sweep over REST before the steps).")
    Integer ef;

    @Option(names = "--recall", description = "Recall@k the search ef is tuned to (the baseline is tuned to the "
            + "lowest recall the cluster's steps measured). Default: ${DEFAULT-VALUE}.")
    double recall = 0.95;

    @Option(names = "--tune-queries", description = "Queries used to tune ef. Default: ${DEFAULT-VALUE}.")
    int tuneQueries = 200;

    @Option(names = "--baseline", negatable = true, description = "Also measure one in-process HnswIndex over the "
            + "same vectors at the recall the cluster measured (default: on for search, off for the other scenarios).")
    Boolean baseline;

    @Option(names = "--warmup", converter = DurationConverter.class, description = "Untimed searches before the "
            + "first step, at its rate (or client count), so nodes that just started have compiled their hot code "
            + "(JIT) before anything is measured; 0s for none. Default: 30s.")
    Duration warmup = Duration.ofSeconds(30);

    @Option(names = "--threads", description = "Threads computing the exact neighbours and building the baseline. "
            + "Default: available processors (${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--timeout", converter = DurationConverter.class, description = "Request timeout "
            + "(e.g. 30s). Default: 30s.")
    Duration timeout = Duration.ofSeconds(30);

    @Option(names = "--max-in-flight", description = "Open loop: most requests outstanding at once, and so most "
            + "connections open (bounds memory and sockets; a request sent late because of it is still measured from "
            + "its due time). Default: ${DEFAULT-VALUE}.")
    int maxInFlight = 256;

    @Option(names = "--report", paramLabel = "DIR", description = "Report directory. Default: "
            + "loadtest-reports/<scenario>-<time> under the current directory.")
    Path report;

    @Option(names = "--json", description = "Print the result as one JSON object instead of a table.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    /** Appends every problem to {@code problems}. */
    void validate(StringBuilder problems) {
        check(problems, (targets == null) != (nodes == null), "give either --targets or --nodes");
        check(problems, nodes == null || (nodes >= 1 && nodes <= 16), "--nodes must be in [1, 16], was " + nodes);
        check(problems, partitions >= 1 && partitions <= 1024, "--partitions must be in [1, 1024], was " + partitions);
        check(problems, backups >= 0 && backups <= 3, "--backups must be in [0, 3], was " + backups);
        check(problems, batch >= 1 && batch <= 1000, "--batch must be in [1, 1000], was " + batch);
        check(problems, loadClients >= 1 && loadClients <= 64, "--load-clients must be in [1, 64], was "
                + loadClients);
        check(problems, k >= 1 && k <= 10_000, "--k must be in [1, 10000], was " + k);
        check(problems, ef == null || (ef >= 1 && ef <= 10_000), "--ef must be in [1, 10000], was " + ef);
        check(problems, recall > 0 && recall <= 1, "--recall must be in (0, 1], was " + recall);
        check(problems, tuneQueries >= 1, "--tune-queries must be at least 1, was " + tuneQueries);
        check(problems, threads >= 1, "--threads must be at least 1, was " + threads);
        check(problems, maxInFlight >= 1, "--max-in-flight must be at least 1, was " + maxInFlight);
        check(problems, !timeout.isNegative() && !timeout.isZero(), "--timeout must be above 0, was " + timeout);
        check(problems, workDir == null || nodes != null, "--work-dir applies to --nodes only");
        check(problems, !warmup.isNegative(), "--warmup must be at least 0s, was " + warmup);
    }

    static void check(StringBuilder problems, boolean ok, String problem) {
        io.gridvec.loadtest.DatasetOptions.check(problems, ok, problem);
    }

    /** Parses durations such as {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}. */
    static final class DurationConverter implements ITypeConverter<Duration> {

        @Override
        public Duration convert(String text) {
            return parse(text);
        }

        static Duration parse(String text) {
            String t = text.trim();
            int unitStart = 0;
            while (unitStart < t.length() && (Character.isDigit(t.charAt(unitStart)) || t.charAt(unitStart) == '.')) {
                unitStart++;
            }
            if (unitStart == 0) {
                throw new IllegalArgumentException("a duration is a number and a unit (ms, s, m, h), was " + text);
            }
            double value = Double.parseDouble(t.substring(0, unitStart));
            double millis = switch (t.substring(unitStart)) {
                case "ms" -> value;
                case "s", "" -> value * 1_000;
                case "m" -> value * 60_000;
                case "h" -> value * 3_600_000;
                default -> throw new IllegalArgumentException("a duration's unit is ms, s, m or h, was " + text);
            };
            return Duration.ofMillis(Math.round(millis));
        }
    }
}
