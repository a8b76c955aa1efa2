package io.gridvec.grid;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gridvec} node command line; {@code ./gridvec bench ...} is served by the loadtest module. */
@Command(
        name = "gridvec",
        mixinStandardHelpOptions = true,
        version = "Gridvec 0.1.0-SNAPSHOT",
        description = "Gridvec, a distributed vector database on Apache Ignite.",
        subcommands = {GridvecCommand.Start.class})
public final class GridvecCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new GridvecCommand()).execute(args));
    }

    @Command(name = "start", description = "Start a Gridvec node.")
    static final class Start implements Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("gridvec start: the cluster node is not part of this build yet;"
                    + " it contains the index library and `gridvec bench` (see README.md).");
            return 2;
        }
    }
}
