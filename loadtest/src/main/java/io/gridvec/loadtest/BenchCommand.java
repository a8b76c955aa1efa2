package io.gridvec.loadtest;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code gridvec bench} command line: {@code index} (Gridvec HNSW against Lucene) and {@code kernels} (JMH). */
@Command(name = "gridvec bench",
        description = "Gridvec benchmarks. Compare figures within one run (ratios), not across days or machines.",
        subcommands = {IndexBenchCommand.class, KernelsCommand.class, RestartBenchCommand.class})
public final class BenchCommand implements Callable<Integer> {

    /** Exit status for bad arguments or input data. */
    static final int USAGE_ERROR = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    private boolean help;

    /** Runs the command line and exits the JVM with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * Returns the command line. Bad input (an {@link IllegalArgumentException} from a command) prints its message
     * and exits with {@value #USAGE_ERROR}; any other failure prints its stack trace (picocli's default).
     */
    static CommandLine commandLine() {
        return new CommandLine(new BenchCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    if (!(e instanceof IllegalArgumentException)) {
                        throw e;
                    }
                    commandLine.getErr().println("error: " + e.getMessage());
                    commandLine.getErr().println("See '" + commandLine.getCommandSpec().qualifiedName()
                            + " --help'.");
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
