package io.gridvec.loadtest.load;

import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest search}: a step test of searches at fixed rates (open loop) and client counts (closed loop). */
@Command(name = "search", sortOptions = false, description = {
    "Loads the data set into the collection (or reuses it), tunes ef to --recall, warms up, then runs one open-loop "
            + "step per --rates entry and one closed-loop step per --clients entry, each for --duration, and "
            + "measures the in-process baseline (one HnswIndex, same vectors, same recall).", ""})
final class SearchCommand extends ScenarioCommand {

    @Option(names = "--rates", split = ",", paramLabel = "QPS", description = "Open-loop steps: searches per "
            + "second. Default: 100,250,500 unless --clients is given.")
    List<Double> rates;

    @Option(names = "--clients", split = ",", paramLabel = "N", description = "Closed-loop steps: concurrent "
            + "clients, each sending its next search when the last is answered.")
    List<Integer> clients;

    @Option(names = "--duration", converter = RunOptions.DurationConverter.class,
            description = "Length of each step (e.g. 30s). Default: 30s.")
    Duration duration = Duration.ofSeconds(30);

    @Override
    String name() {
        return "search";
    }

    @Override
    boolean baselineByDefault() {
        return true;
    }

    @Override
    void validate(StringBuilder problems) {
        RunOptions.check(problems, rates == null || rates.stream().allMatch(r -> r > 0 && r <= 100_000),
                "--rates must each be in (0, 100000], were " + rates);
        RunOptions.check(problems, clients == null || clients.stream().allMatch(c -> c >= 1 && c <= 1024),
                "--clients must each be in [1, 1024], were " + clients);
        RunOptions.check(problems, duration.toMillis() >= 1000, "--duration must be at least 1s, was " + duration);
        if (rates == null && clients == null) {
            rates = List.of(100.0, 250.0, 500.0);
        }
    }

    @Override
    void execute(LoadRun run) throws Exception {
        run.ensureLoaded();
        run.prepareSearch();
        if (rates != null) {
            run.warmUp(rates.get(0));
        } else {
            run.warmUpClosed(clients.get(0));
        }
        for (double rate : rates == null ? List.<Double>of() : rates) {
            SearchWorkload searches = run.searches();
            run.openStep("search", searches, searches, rate, duration);
        }
        for (int count : clients == null ? List.<Integer>of() : clients) {
            run.closedStep("search", run.searches(), count, duration);
        }
    }
}
