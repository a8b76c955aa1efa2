package io.gridvec.loadtest.load;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest mixed}: searches, upserts and deletes at one rate in a given ratio (open loop). */
@Command(name = "mixed", sortOptions = false, description = {
    "Loads the data set (or reuses it), tunes ef, then sends --rate requests/s for --duration: searches, one-record "
            + "upserts of new records (mixed-<n>, near base vectors) and deletes of those, in the --mix ratio. Recall "
            + "counts base records only, so new records that rank among the nearest lower it slightly.", ""})
final class MixedCommand extends ScenarioCommand {

    @Option(names = "--rate", description = "Requests per second. Default: ${DEFAULT-VALUE}.")
    double rate = 100;

    @Option(names = "--mix", description = "search,upsert,delete weights. Default: ${DEFAULT-VALUE}.")
    String mix = "90,9,1";

    @Option(names = "--duration", converter = RunOptions.DurationConverter.class,
            description = "Length of the step (e.g. 60s). Default: 60s.")
    Duration duration = Duration.ofSeconds(60);

    @Override
    String name() {
        return "mixed";
    }

    @Override
    void validate(StringBuilder problems) {
        validateLoad(problems, rate, mix, duration);
    }

    /** The checks mixed, failover and soak share. */
    static void validateLoad(StringBuilder problems, double rate, String mix, Duration duration) {
        RunOptions.check(problems, rate > 0 && rate <= 100_000, "--rate must be in (0, 100000], was " + rate);
        try {
            MixedWorkload.Mix.parse(mix);
        } catch (IllegalArgumentException e) {
            RunOptions.check(problems, false, e.getMessage());
        }
        RunOptions.check(problems, duration.toMillis() >= 1000, "--duration must be at least 1s, was " + duration);
    }

    @Override
    void execute(LoadRun run) throws Exception {
        run.ensureLoaded();
        run.prepareSearch();
        run.warmUp(rate);
        SearchWorkload searches = run.searches();
        run.mixedStep(name(), new MixedWorkload(searches, MixedWorkload.Mix.parse(mix), run.collection,
                run.data.base(), run.seed), searches, rate, duration);
        run.put("mix", mix);
    }
}
