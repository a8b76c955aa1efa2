package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.index.vector.Metric;
import io.gridvec.loadtest.Baseline;
import io.gridvec.loadtest.DatasetOptions;
import io.gridvec.loadtest.EfTuner;
import io.gridvec.loadtest.GroundTruth;
import io.gridvec.loadtest.TempDirectory;
import io.gridvec.loadtest.dataset.Dataset;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One load-test run: the data set, the cluster (given, or started here), the collection holding the data, the exact
 * neighbours, the tuned ef, and every step measured so far. Scenarios drive it; {@link #result} is the run's JSON.
 * Not thread-safe.
 */
final class LoadRun implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a loaded collection may take to index its writes. */
    private static final Duration INDEX_TIMEOUT = Duration.ofMinutes(60);

    final String scenario;
    final RunOptions options;
    final PrintWriter log;
    final Dataset data;
    final Metric metric;
    final long seed;
    final String collection;
    final RestTargets targets;
    private final LocalCluster local;
    private final TempDirectory temporaryWork;
    private final long startNanos = System.nanoTime();
    private final List<Step> steps = new ArrayList<>();
    private final List<Double> stepStarts = new ArrayList<>();
    private final List<Plots.Event> events = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private List<MemorySampler.Sample> memory = List.of();
    private GroundTruth truth;
    private Integer ef;
    private Map<String, Object> baseline;
    private boolean keepWork;

    private LoadRun(String scenario, RunOptions options, DatasetOptions dataset, Dataset data, PrintWriter log,
            LocalCluster local, TempDirectory temporaryWork, List<URI> urls) {
        this.scenario = scenario;
        this.options = options;
        this.log = log;
        this.data = data;
        this.metric = dataset.metric();
        this.seed = dataset.seed();
        this.local = local;
        this.temporaryWork = temporaryWork;
        this.collection = options.collection != null ? options.collection
                : ("lt-" + data.name() + "-" + data.base().length + "x" + data.dimension() + "-s" + seed);
        this.targets = new RestTargets(urls, options.timeout);
    }

    /**
     * Reads the data set and, with {@code --nodes}, starts the cluster.
     *
     * @throws IOException when the data cannot be read or a node does not start
     * @throws InterruptedException when interrupted
     */
    static LoadRun open(String scenario, RunOptions options, DatasetOptions dataset, PrintWriter log)
            throws IOException, InterruptedException {
        Dataset data = dataset.load();
        log.printf("dataset %s: %d base x %d, %d queries%n", data.name(), data.base().length, data.dimension(),
                data.queries().length);
        if (options.nodes == null) {
            return new LoadRun(scenario, options, dataset, data, log, null, null, options.targets);
        }
        String launcher = LocalNode.launcher("gridvec loadtest");
        TempDirectory temporary = options.workDir == null ? TempDirectory.create("gridvec-loadtest-") : null;
        Path work = options.workDir != null ? options.workDir : temporary.path();
        log.printf("starting %d nodes in %s%n", options.nodes, work);
        try {
            LocalCluster cluster = LocalCluster.start(launcher, work, options.nodes, "loadtest",
                    Duration.ofMinutes(5));
            return new LoadRun(scenario, options, dataset, data, log, cluster, temporary, cluster.urls());
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (temporary != null) {
                log.printf("the nodes' logs are in %s (kept)%n", work);
            }
            throw e;
        }
    }

    /** Returns the nodes this run started, or null when it was given a cluster. */
    LocalCluster local() {
        return local;
    }

    /** Returns seconds since the run started. */
    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Makes sure the collection holds the data set: reuses it when it does, creates and loads it when it does not
     * exist (adding the ingest step). Then waits until every write is indexed.
     *
     * @throws IOException when the cluster fails
     * @throws InterruptedException when interrupted
     */
    void ensureLoaded() throws IOException, InterruptedException {
        Loader loader = new Loader(targets, collection, log);
        if (loader.holds(data.base(), metric.wireName())) {
            log.printf("collection %s already holds the data set: reusing it%n", collection);
            extra.put("loaded", "reused");
        } else {
            loader.create(data.dimension(), metric.wireName(), options.partitions, options.backups);
            ingest(loader);
            extra.put("loaded", "ingested");
        }
        loader.awaitIndexed(System.nanoTime(), INDEX_TIMEOUT);
    }

    /**
     * Upserts the data set into the (existing) collection as an ingest step.
     *
     * @throws IOException when the cluster fails
     * @throws InterruptedException when interrupted
     */
    void ingest(Loader loader) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Step step = loader.ingest(data.base(), options.batch, options.loadClients, INDEX_TIMEOUT, log);
        add(step, started);
    }

    /**
     * Computes the exact neighbours and chooses ef: {@code --ef}, or the lowest that reaches {@code --recall} on the
     * first {@code --tune-queries} queries.
     *
     * @throws IOException when a search fails
     * @throws InterruptedException when interrupted
     */
    void prepareSearch() throws IOException, InterruptedException {
        long started = System.nanoTime();
        truth = GroundTruth.compute(data.base(), data.queries(), options.k, metric, options.threads);
        log.printf("exact top-%d of %d queries in %.1f s%n", options.k, data.queries().length,
                (System.nanoTime() - started) / 1e9);
        if (options.ef != null) {
            ef = options.ef;
            return;
        }
        int count = Math.min(options.tuneQueries, data.queries().length);
        float[][] sample = Arrays.copyOf(data.queries(), count);
        EfTuner.Tuning tuning = EfTuner.tune(new RestEngine(targets, collection), sample, truth.firstQueries(count),
                options.k, options.recall, log);
        ef = tuning.ef();
        Map<String, Object> tuned = new LinkedHashMap<>();
        tuned.put("queries", count);
        tuned.put("targetRecall", options.recall);
        tuned.put("reached", tuning.targetReached());
        tuned.put("points", tuning.points().stream().map(p -> List.of(p.ef(), p.recall())).toList());
        extra.put("efTuning", tuned);
    }

    /** A search workload over the queries (after {@link #prepareSearch}). */
    SearchWorkload searches() {
        return new SearchWorkload(collection, data.queries(), options.k, ef, truth);
    }

    /**
     * Sends searches at {@code rate} for {@code --warmup}, unrecorded.
     *
     * @throws InterruptedException when interrupted
     */
    void warmUp(double rate) throws InterruptedException {
        if (!options.warmup.isZero()) {
            new Generator(targets, "warm-up " + Math.round(rate) + "/s", log).openLoop(searches(), rate,
                    options.warmup, options.maxInFlight);
        }
    }

    /**
     * Sends searches from {@code clients} closed-loop clients for {@code --warmup}, unrecorded.
     *
     * @throws InterruptedException when interrupted
     */
    void warmUpClosed(int clients) throws InterruptedException {
        if (!options.warmup.isZero()) {
            new Generator(targets, "warm-up " + clients + " clients", log).closedLoop(searches(), clients,
                    options.warmup);
        }
    }

    /**
     * Runs an open-loop step and records it.
     *
     * @throws InterruptedException when interrupted
     */
    Step openStep(String name, Workload workload, SearchWorkload searches, double rate, Duration duration)
            throws InterruptedException {
        Generator generator = new Generator(targets, name + " " + Math.round(rate) + "/s", log);
        long retriedBefore = targets.retried();
        StepRecorder recorder = generator.openLoop(workload, rate, duration, options.maxInFlight);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("retried", targets.retried() - retriedBefore);
        figures.put("sendLagP99", StepRecorder.ms(recorder.sendLag(), 99));
        Step step = Step.of(name, rate, null, recorder, Step.okRate(recorder), searches == null ? null
                : searches.recall(), figures);
        add(step, recorder.startNanos());
        return step;
    }

    /**
     * Runs a closed-loop step with {@code clients} concurrent clients and records it.
     *
     * @throws InterruptedException when interrupted
     */
    Step closedStep(String name, SearchWorkload searches, int clients, Duration duration)
            throws InterruptedException {
        Generator generator = new Generator(targets, name + " " + clients + " clients", log);
        long retriedBefore = targets.retried();
        StepRecorder recorder = generator.closedLoop(searches, clients, duration);
        Step step = Step.of(name, null, clients, recorder, Step.okRate(recorder), searches.recall(),
                Map.of("retried", targets.retried() - retriedBefore));
        add(step, recorder.startNanos());
        return step;
    }

    private void add(Step step, long stepStartNanos) {
        steps.add(step);
        stepStarts.add((stepStartNanos - startNanos) / 1e9);
    }

    /**
     * Runs an open-loop step of {@code mixed}, then deletes the records its upserts left, so the collection holds
     * exactly the data set again and the next run can reuse it.
     *
     * @throws IOException when the clean-up fails
     * @throws InterruptedException when interrupted
     */
    Step mixedStep(String name, MixedWorkload mixed, SearchWorkload searches, double rate, Duration duration)
            throws IOException, InterruptedException {
        try {
            return openStep(name, mixed, searches, rate, duration);
        } finally {
            List<String> left = mixed.drainWritten();
            for (int from = 0; from < left.size(); from += 1000) {
                StringBuilder body = new StringBuilder("{\"ids\":[");
                for (int i = from; i < Math.min(left.size(), from + 1000); i++) {
                    body.append(i > from ? "," : "").append('"').append(left.get(i)).append('"');
                }
                targets.expect(200, "POST", "/v1/collections/" + collection + "/records/delete",
                        body.append("]}").toString());
            }
            log.printf("deleted the %d records the mixed load left%n", left.size());
        }
    }

    /** Marks something that happened now (a kill) on the timeline. */
    void event(String label) {
        events.add(new Plots.Event(elapsedSeconds(), label));
        log.printf("at %.1f s: %s%n", elapsedSeconds(), label);
    }

    /** Adds a field to the run's JSON. */
    void put(String key, Object value) {
        extra.put(key, value);
    }

    void memory(List<MemorySampler.Sample> samples) {
        memory = samples;
    }

    /**
     * Returns every node's REST URL as the cluster reports them ({@code GET /v1/cluster}), or the targets when it
     * reports none.
     *
     * @throws IOException when the cluster does not answer
     * @throws InterruptedException when interrupted
     */
    List<URI> nodeUrls() throws IOException, InterruptedException {
        List<URI> urls = new ArrayList<>();
        for (JsonNode node : JSON.readTree(targets.expect(200, "GET", "/v1/cluster", null)).path("nodes")) {
            if (!node.path("client").asBoolean() && node.hasNonNull("rest")) {
                urls.add(URI.create(node.path("rest").asText()));
            }
        }
        return urls.isEmpty() ? targets.urls() : urls;
    }

    /**
     * Measures the in-process baseline at the recall the cluster reached: the lowest recall its search steps measured
     * (or, before any, --recall). Nodes this run started are stopped first; the run's steps must be over.
     *
     * @throws InterruptedException when interrupted
     */
    void baseline() throws InterruptedException {
        double target = steps.stream().map(Step::recall).filter(r -> r != null).min(Comparator.naturalOrder())
                .orElse(options.recall);
        JsonNode spec;
        try {
            spec = JSON.readTree(targets.expect(200, "GET", "/v1/collections/" + collection, null)).path("hnsw");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the collection's HNSW parameters", e);
        }
        if (local != null) {
            log.println("stopping the nodes, so the baseline has the machine to itself");
            local.close();
        }
        baseline = Baseline.measure(data.base(), data.queries(), truth, metric,
                spec.path("m").asInt(HnswIndex.DEFAULT_M),
                spec.path("efConstruction").asInt(HnswIndex.DEFAULT_EF_CONSTRUCTION), seed, target, options.threads,
                log);
    }

    /** Returns the run's JSON: set-up, steps, baseline and the ratios of every search step to the baseline. */
    Map<String, Object> result() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", scenario);
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", data.name());
        dataset.put("n", data.base().length);
        dataset.put("dim", data.dimension());
        dataset.put("queries", data.queries().length);
        dataset.put("metric", metric.wireName());
        dataset.put("seed", seed);
        result.put("dataset", dataset);
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("targets", targets.urls().stream().map(URI::toString).toList());
        cluster.put("startedNodes", local == null ? 0 : local.nodes().size());
        cluster.put("collection", collection);
        result.put("cluster", cluster);
        result.put("k", options.k);
        result.put("ef", ef);
        result.putAll(extra);
        result.put("steps", steps.stream().map(Step::toMap).toList());
        result.put("timelineColumns", List.of("seconds", "rate", "p50", "p99", "max", "errors"));
        result.put("events", events.stream().map(e -> Map.of("atSeconds", Step.round(e.atSeconds()), "event",
                e.label())).toList());
        result.put("baseline", baseline);
        if (baseline != null) {
            result.put("vsBaseline", ratios());
        }
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", Runtime.version().toString());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        result.put("machine", machine);
        return result;
    }

    /** Per search step: its p50 and p99 over the baseline's, and its throughput over the baseline's QPS. */
    private List<Map<String, Object>> ratios() {
        double p50 = ((Number) baseline.get("p50")).doubleValue();
        double p99 = ((Number) baseline.get("p99")).doubleValue();
        double qps = ((Number) baseline.get("qps")).doubleValue();
        List<Map<String, Object>> ratios = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            if (step.recall() == null) {
                continue;
            }
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("step", i);
            ratio.put("p50Ratio", Step.round(step.p50() / p50));
            ratio.put("p99Ratio", Step.round(step.p99() / p99));
            ratio.put("throughputRatio", Math.round(1000 * step.achievedRate() / qps) / 1000.0);
            ratios.add(ratio);
        }
        return ratios;
    }

    /** Returns what the report directory shows. */
    Report.Run report() {
        return new Report.Run("gridvec loadtest " + scenario + " (" + data.name() + " " + data.base().length + " x "
                + data.dimension() + ")", result(), List.copyOf(steps), List.copyOf(stepStarts), List.copyOf(events),
                memory);
    }

    /** Keeps the temporary directory of the nodes this run started (their logs) when the run closes: it failed. */
    void keepNodeFiles() {
        if (temporaryWork != null) {
            keepWork = true;
            log.printf("the nodes' data and logs are kept in %s%n", temporaryWork.path());
        }
    }

    /**
     * Stops the nodes this run started and deletes their temporary directory, unless {@link #keepNodeFiles} was
     * called.
     *
     * @throws IOException when the directory cannot be deleted
     * @throws InterruptedException when interrupted while a node stops
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (local != null) {
            local.close();
        }
        if (temporaryWork != null && !keepWork) {
            temporaryWork.close();
        }
    }
}
