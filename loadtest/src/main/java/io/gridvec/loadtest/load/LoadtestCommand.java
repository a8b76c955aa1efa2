package io.gridvec.loadtest.load;

import io.gridvec.loadtest.BenchCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code gridvec loadtest} command line: load scenarios against a cluster, through its REST API only. */
@Command(name = "gridvec loadtest",
        description = {"Load tests a Gridvec cluster through its REST API and writes a report directory "
                + "(result.json, CSV, PNG charts, index.html). Latencies are in ms, measured with HdrHistogram; "
                + "open-loop latency runs from each request's scheduled time. Compare figures within one run.", ""},
        subcommands = {IngestCommand.class, SearchCommand.class, MixedCommand.class, FailoverCommand.class,
            SoakCommand.class})
public final class LoadtestCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    private boolean help;

    /** Runs the command line and exits the JVM with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Returns the command line, with bad input and cluster failures reported in one line. */
    static CommandLine commandLine() {
        return BenchCommand.configure(new CommandLine(new LoadtestCommand()));
    }

    /** Without a subcommand, prints the usage to stderr. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return BenchCommand.USAGE_ERROR;
    }
}
