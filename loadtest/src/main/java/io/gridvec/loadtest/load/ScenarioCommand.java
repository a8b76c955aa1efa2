package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.loadtest.DatasetOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code gridvec loadtest} scenario does around its own steps: check the options, read the data set, open
 * the cluster (or start one), run, measure the baseline where asked, write the report directory and print the result.
 */
abstract class ScenarioCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions options;

    @Mixin
    DatasetOptions dataset;

    /** Returns the scenario's name in reports. */
    abstract String name();

    /** Appends the scenario's own option problems. */
    void validate(StringBuilder problems) {}

    /** Runs the scenario's steps. */
    abstract void execute(LoadRun run) throws Exception;

    /** Whether the in-process baseline runs unless --no-baseline says otherwise. */
    boolean baselineByDefault() {
        return false;
    }

    @Override
    public Integer call() throws Exception {
        StringBuilder problems = new StringBuilder();
        options.validate(problems);
        dataset.validate(problems);
        validate(problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.toString());
        }
        PrintWriter log = spec.commandLine().getErr();
        Report.Run report;
        try (LoadRun run = LoadRun.open(name(), options, dataset, log)) {
            boolean finished = false;
            try {
                execute(run);
                if (options.baseline != null ? options.baseline : baselineByDefault()) {
                    run.baseline();
                }
                finished = true;
            } finally {
                if (!finished) {
                    run.keepNodeFiles(); // a failed run keeps its nodes' logs
                }
            }
            report = run.report();
        }
        Path dir = options.report != null ? options.report : Path.of("loadtest-reports", name() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Report.write(dir, report);
        log.printf("report: %s%n", dir.resolve("index.html"));
        log.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.println(options.json ? JSON.writeValueAsString(report.result()) : summary(report));
        out.flush();
        return 0;
    }

    private static String summary(Report.Run report) {
        StringBuilder text = new StringBuilder(report.title()).append('\n').append(String.format(
                "%-10s %8s %8s %10s %8s %8s %8s %8s %8s %7s %7s%n", "scenario", "rate", "clients", "achieved",
                "p50", "p95", "p99", "p99.9", "max", "errors", "recall"));
        for (Step s : report.steps()) {
            text.append(String.format("%-10s %8s %8s %10.1f %8.2f %8.2f %8.2f %8.2f %8.2f %7d %7s%n", s.scenario(),
                    s.rate() == null ? "-" : String.valueOf(Math.round(s.rate())),
                    s.clients() == null ? "-" : s.clients(), s.achievedRate(), s.p50(), s.p95(), s.p99(), s.p999(),
                    s.max(), s.errors(), s.recall() == null ? "-" : s.recall()));
        }
        Object baseline = report.result().get("baseline");
        if (baseline instanceof Map<?, ?> figures) {
            text.append(String.format("baseline (in-process HnswIndex): ef %s recall %s p50 %s ms p99 %s ms, "
                    + "%s threads %s QPS%n", figures.get("ef"), figures.get("recall"), figures.get("p50"),
                    figures.get("p99"), figures.get("threads"), figures.get("qps")));
        }
        return text.append("latencies in ms; achieved in requests/s (ingest: records/s)").toString();
    }
}
