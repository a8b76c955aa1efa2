package io.gridvec.loadtest.load;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadtest failover}: a steady load during which one node process is killed with SIGKILL. */
@Command(name = "failover", sortOptions = false, description = {
    "Loads the data set (or reuses it), tunes ef, then sends --rate requests/s (--mix) for --duration and, "
            + "--kill-after into it, kills one node with SIGKILL: with --nodes the one --kill-node names, with "
            + "--targets the process --kill-pid names (on this machine). Reports errors and latency per second, "
            + "the kill marked in latency-over-time.png. A request whose node refused or dropped the connection is "
            + "sent once more to the next node (counted as retried), as a client behind a load balancer would.", ""})
final class FailoverCommand extends ScenarioCommand {

    @Option(names = "--rate", description = "Requests per second. Default: ${DEFAULT-VALUE}.")
    double rate = 100;

    @Option(names = "--mix", description = "search,upsert,delete weights. Default: ${DEFAULT-VALUE}.")
    String mix = "100,0,0";

    @Option(names = "--duration", converter = RunOptions.DurationConverter.class,
            description = "Length of the step (e.g. 60s). Default: 60s.")
    Duration duration = Duration.ofSeconds(60);

    @Option(names = "--kill-after", converter = RunOptions.DurationConverter.class,
            description = "When to kill, from the step's start. Default: 20s.")
    Duration killAfter = Duration.ofSeconds(20);

    @Option(names = "--kill-node", description = "With --nodes: which node to kill, 1 to N. Default: N.")
    Integer killNode;

    @Option(names = "--kill-pid", description = "With --targets: the process id of the node to kill.")
    Long killPid;

    @Override
    String name() {
        return "failover";
    }

    @Override
    void validate(StringBuilder problems) {
        MixedCommand.validateLoad(problems, rate, mix, duration);
        RunOptions.check(problems, killAfter.compareTo(duration) < 0, "--kill-after must be less than --duration");
        RunOptions.check(problems, options.nodes == null || options.nodes >= 2,
                "failover needs at least 2 nodes, --nodes was " + options.nodes);
        RunOptions.check(problems, options.nodes == null || killNode == null
                || (killNode >= 1 && killNode <= options.nodes), "--kill-node must be in [1, --nodes], was " + killNode);
        RunOptions.check(problems, options.nodes != null || killPid != null,
                "with --targets, name the node process to kill with --kill-pid");
        RunOptions.check(problems, options.nodes == null || killPid == null, "--kill-pid applies to --targets only");
    }

    @Override
    void execute(LoadRun run) throws Exception {
        run.ensureLoaded();
        run.prepareSearch();
        run.warmUp(rate);
        SearchWorkload searches = run.searches();
        MixedWorkload workload = new MixedWorkload(searches, MixedWorkload.Mix.parse(mix), run.collection,
                run.data.base(), run.seed);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread killer = Thread.ofPlatform().name("loadtest-killer").start(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(killAfter.toMillis());
                kill(run);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        try {
            run.mixedStep(name(), workload, searches, rate, duration);
        } finally {
            killer.interrupt();
            killer.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        run.put("mix", mix);
    }

    private void kill(LoadRun run) throws InterruptedException {
        if (run.local() != null) {
            List<LocalNode> nodes = run.local().nodes();
            LocalNode node = nodes.get((killNode == null ? nodes.size() : killNode) - 1);
            long pid = node.pid();
            node.kill();
            run.event("kill -9 " + node.name() + " (pid " + pid + ")");
            return;
        }
        ProcessHandle process = ProcessHandle.of(killPid).orElseThrow(() -> new IllegalArgumentException(
                "--kill-pid " + killPid + ": no such process on this machine"));
        if (!process.destroyForcibly()) {
            throw new IllegalArgumentException("--kill-pid " + killPid + ": the process could not be killed");
        }
        run.event("kill -9 pid " + killPid);
    }
}
