package io.gridvec.loadtest;

import io.gridvec.loadtest.jmh.KernelBenchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code bench kernels}: runs JMH in this process, by default on {@link KernelBenchmark}. */
@Command(name = "kernels",
        description = {
            "Runs JMH with the given JMH arguments (e.g. -f 1 -wi 2 -i 3 -p dim=128; -h lists them all). Without a "
                    + "benchmark regex it runs KernelBenchmark: scalar against Panama kernels (dot, squareDistance, "
                    + "cosine) at several dimensions, about 130 s on 2 cores with the defaults. Forks inherit this "
                    + "JVM's flags, so they run with the vector module when this one does.",
            ""})
final class KernelsCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Show this help; JMH's own is -h.")
    private boolean help;

    @Unmatched
    private List<String> jmhArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(jmhArgs);
        if (new CommandLineOptions(args.toArray(String[]::new)).getIncludes().isEmpty()) {
            args.add(KernelBenchmark.class.getName());
        }
        // Main.main prints JMH's errors and exits the JVM with status 1 itself.
        Main.main(args.toArray(String[]::new));
        return 0;
    }
}
