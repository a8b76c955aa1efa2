package io.gridvec.loadtest;

import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.Vectorization;
import io.gridvec.loadtest.dataset.Dataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench index}: Gridvec HNSW against Lucene HNSW on the same data, at the same recall, in one process. */
@Command(name = "index", sortOptions = false,
        description = {
            "Builds Gridvec's HNSW and Lucene's HNSW (10.6, one merged segment) from the same base vectors with the "
                    + "same M, efConstruction and thread count; computes the exact top-k of every query by brute "
                    + "force; for each engine finds the lowest ef whose recall@k reaches the target (sweep "
                    + "10, 16, 24, ..., 1024, then bisection); then measures single-threaded QPS of both at those ef "
                    + "in interleaved trials (gridvec, lucene, gridvec, ...; 3 each of >= 1.5 s after a warm-up) "
                    + "and reports the median.",
            "qpsRatio = gridvec.qps / lucene.qps (>1: Gridvec answers faster at the target recall).",
            "buildRatio = lucene.buildSeconds / gridvec.buildSeconds (>1: Gridvec builds faster). Gridvec's build "
                    + "time covers all upserts; Lucene's runs from the first added document to the commit after "
                    + "forceMerge(1).",
            "Prints one JSON object (--json) or a short summary on stdout; progress goes to stderr.",
            ""})
final class IndexBenchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    private boolean help;

    @Mixin
    private DatasetOptions dataset;

    @Option(names = "--k", description = "Neighbours per query; recall is recall@k. Default: ${DEFAULT-VALUE}.")
    private int k = 10;

    @Option(names = "--target-recall", description = "Recall@k each engine is tuned to. Default: ${DEFAULT-VALUE}.")
    private double targetRecall = 0.95;

    @Option(names = "--m", description = "HNSW M, neighbours per node (2M on level 0). Default: ${DEFAULT-VALUE}.")
    private int m = 16;

    @Option(names = "--ef-construction", description = "HNSW efConstruction (Lucene: beamWidth). "
            + "Default: ${DEFAULT-VALUE}.")
    private int efConstruction = 100;

    @Option(names = "--threads", description = "Threads building each engine (Gridvec upserts; Lucene indexing "
            + "threads and HNSW merge workers) and computing the exact neighbours. Default: available processors "
            + "(${DEFAULT-VALUE}).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "Print one JSON object instead of a summary.")
    private boolean json;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Metric parsedMetric = dataset.metric();
        validate();
        PrintWriter log = spec.commandLine().getErr();
        Dataset data = dataset.load();
        log.printf("dataset %s: %d base x %d, %d queries; kernels %s%n", data.name(), data.base().length,
                data.dimension(), data.queries().length, Vectorization.kernels().name());
        if (k > data.base().length) {
            throw new IllegalArgumentException("--k must be at most the number of base vectors, "
                    + data.base().length + ", was " + k);
        }
        long start = System.nanoTime();
        GroundTruth truth = GroundTruth.compute(data.base(), data.queries(), k, parsedMetric, threads);
        log.printf("exact top-%d of every query in %.1f s%n", k, (System.nanoTime() - start) / 1e9);
        IndexBenchReport report = run(data, parsedMetric, truth, log);
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? report.toJson() : report.summary());
        out.flush();
        return 0;
    }

    private IndexBenchReport run(Dataset data, Metric parsedMetric, GroundTruth truth, PrintWriter log)
            throws IOException, InterruptedException {
        try (TempDirectory luceneDir = TempDirectory.create("gridvec-bench-lucene-");
                GridvecEngine gridvec = buildGridvec(data, parsedMetric, log);
                LuceneEngine lucene = buildLucene(luceneDir.path(), data, parsedMetric, log)) {
            EfTuner.Tuning gridvecTuning = EfTuner.tune(gridvec, data.queries(), truth, k, targetRecall, log);
            EfTuner.Tuning luceneTuning = EfTuner.tune(lucene, data.queries(), truth, k, targetRecall, log);
            List<QpsMeter.Result> qps = QpsMeter.measure(List.of(
                    new QpsMeter.Target(gridvec, gridvecTuning.ef()),
                    new QpsMeter.Target(lucene, luceneTuning.ef())), data.queries(), k, log);
            IndexBenchReport.Setup setup = new IndexBenchReport.Setup(data.name(), data.base().length,
                    data.dimension(), k, data.queries().length, parsedMetric.wireName(), targetRecall, m,
                    efConstruction, threads, Vectorization.kernels().name(), Runtime.version().toString());
            return IndexBenchReport.of(setup, IndexBenchReport.EngineReport.of(gridvec, gridvecTuning, qps.get(0)),
                    IndexBenchReport.EngineReport.of(lucene, luceneTuning, qps.get(1)));
        }
    }

    private GridvecEngine buildGridvec(Dataset data, Metric parsedMetric, PrintWriter log)
            throws InterruptedException {
        GridvecEngine gridvec = GridvecEngine.build(data.base(), parsedMetric, m, efConstruction, dataset.seed(),
                threads);
        log.printf("gridvec: built in %.2f s%n", gridvec.buildSeconds());
        return gridvec;
    }

    private LuceneEngine buildLucene(Path directory, Dataset data, Metric parsedMetric, PrintWriter log)
            throws IOException, InterruptedException {
        LuceneEngine lucene = LuceneEngine.build(directory, data.base(), parsedMetric, m, efConstruction, threads);
        LuceneEngine.BuildTime time = lucene.buildTime();
        log.printf("lucene: built in %.2f s (adding %.2f s, forceMerge and commit %.2f s)%n", time.totalSeconds(),
                time.indexSeconds(), time.totalSeconds() - time.indexSeconds());
        return lucene;
    }

    private void validate() {
        StringBuilder problems = new StringBuilder();
        dataset.validate(problems);
        DatasetOptions.check(problems, k >= 1, "--k must be at least 1, was " + k);
        DatasetOptions.check(problems, m >= 2 && m <= 512, "--m must be in [2, 512], was " + m);
        // 3200 is Lucene's largest beamWidth; Gridvec accepts up to 10000.
        DatasetOptions.check(problems, efConstruction >= 1 && efConstruction <= 3200,
                "--ef-construction must be in [1, 3200], was " + efConstruction);
        DatasetOptions.check(problems, targetRecall > 0 && targetRecall <= 1, "--target-recall must be in (0, 1], was "
                + targetRecall);
        DatasetOptions.check(problems, threads >= 1, "--threads must be at least 1, was " + threads);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.toString());
        }
    }
}
