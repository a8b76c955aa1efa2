package io.gridvec.loadtest;

import io.gridvec.loadtest.load.BackupBenchCommand;
import io.gridvec.loadtest.load.CacheBenchCommand;
import io.gridvec.loadtest.load.RestartBenchCommand;
import io.gridvec.loadtest.load.UpdateBenchCommand;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code gridvec bench} command line: {@code index} (Gridvec HNSW against Lucene), {@code kernels} (JMH),
 * {@code restart} (a node's time to ready), {@code update} (PATCH against DELETE then PUT), {@code cache} (cached
 * against searched answers), {@code backup} and {@code filter} (a shard's filtered search with and without its field
 * index).
 */
@Command(name = "gridvec bench",
        description = "Gridvec benchmarks. Compare figures within one run (ratios), not across days or machines.",
        subcommands = {IndexBenchCommand.class, KernelsCommand.class, RestartBenchCommand.class,
            UpdateBenchCommand.class, CacheBenchCommand.class, BackupBenchCommand.class, FilterBenchCommand.class})
public final class BenchCommand implements Callable<Integer> {

    /** Exit status for bad arguments or input data. */
    public static final int USAGE_ERROR = 2;
    /** Exit status when the cluster or a file failed the run. */
    public static final int RUN_FAILED = 1;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    private boolean help;

    /** Runs the command line and exits the JVM with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Returns the command line. */
    static CommandLine commandLine() {
        return configure(new CommandLine(new BenchCommand()));
    }

    /**
     * Configures a benchmark command line: bad input (an {@link IllegalArgumentException} from a command) prints its
     * message and exits with {@value #USAGE_ERROR}; an {@link IOException} (a node that does not answer, a file that
     * cannot be read) prints its message and exits with {@value #RUN_FAILED}; any other failure prints its stack
     * trace (picocli's default).
     */
    public static CommandLine configure(CommandLine commandLine) {
        return commandLine
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, failed, parseResult) -> {
                    if (e instanceof IOException) {
                        failed.getErr().println("error: " + e.getMessage());
                        return RUN_FAILED;
                    }
                    if (!(e instanceof IllegalArgumentException)) {
                        throw e;
                    }
                    failed.getErr().println("error: " + e.getMessage());
                    failed.getErr().println("See '" + failed.getCommandSpec().qualifiedName() + " --help'.");
                    return USAGE_ERROR;
                });
    }

    /** Without a subcommand, prints the usage to stderr. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE_ERROR;
    }
}
