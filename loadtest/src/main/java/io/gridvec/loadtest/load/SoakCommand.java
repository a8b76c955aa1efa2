package io.gridvec.loadtest.load;

import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest soak}: a long mixed load while every node's heap and resident set are sampled. */
@Command(name = "soak", sortOptions = false, description = {
    "Loads the data set (or reuses it), tunes ef, then sends --rate requests/s (--mix) for --duration while sampling "
            + "every node's heap and RSS (GET /health) every --sample-every. Memory should level off: the report "
            + "gives, per node, how much the largest RSS of the last third of the run exceeds the middle third's, "
            + "and levelledOff is true when every node stays within --max-growth percent.", ""})
final class SoakCommand extends ScenarioCommand {

    @Option(names = "--rate", description = "Requests per second. Default: ${DEFAULT-VALUE}.")
    double rate = 100;

    @Option(names = "--mix", description = "search,upsert,delete weights. Default: ${DEFAULT-VALUE}.")
    String mix = "90,9,1";

    @Option(names = "--duration", converter = RunOptions.DurationConverter.class,
            description = "Length of the soak (e.g. 10m). Default: 10m.")
    Duration duration = Duration.ofMinutes(10);

    @Option(names = "--sample-every", converter = RunOptions.DurationConverter.class,
            description = "Memory sampling interval. Default: 5s.")
    Duration sampleEvery = Duration.ofSeconds(5);

    @Option(names = "--max-growth", description = "Percent the last third's RSS may exceed the middle third's. "
            + "Default: ${DEFAULT-VALUE}.")
    double maxGrowth = 10;

    @Override
    String name() {
        return "soak";
    }

    @Override
    void validate(StringBuilder problems) {
        MixedCommand.validateLoad(problems, rate, mix, duration);
        RunOptions.check(problems, sampleEvery.toMillis() >= 100 && sampleEvery.compareTo(duration) < 0,
                "--sample-every must be at least 100ms and less than --duration, was " + sampleEvery);
        RunOptions.check(problems, maxGrowth >= 0, "--max-growth must be at least 0, was " + maxGrowth);
    }

    @Override
    void execute(LoadRun run) throws Exception {
        run.ensureLoaded();
        run.prepareSearch();
        run.warmUp(rate);
        SearchWorkload searches = run.searches();
        MixedWorkload workload = new MixedWorkload(searches, MixedWorkload.Mix.parse(mix), run.collection,
                run.data.base(), run.seed);
        Map<String, Object> summary;
        try (MemorySampler sampler = new MemorySampler(run.nodeUrls(), sampleEvery)) {
            run.mixedStep(name(), workload, searches, rate, duration);
            sampler.close();
            summary = sampler.summary();
            run.memory(sampler.samples());
        }
        boolean levelled = summary.values().stream().filter(Map.class::isInstance)
                .map(node -> ((Map<?, ?>) node).get("rssGrowthLastThirdPct"))
                .allMatch(growth -> growth instanceof Number n && n.doubleValue() <= maxGrowth);
        summary.put("maxGrowthPct", maxGrowth);
        summary.put("levelledOff", levelled);
        run.put("mix", mix);
        run.put("memory", summary);
    }
}
