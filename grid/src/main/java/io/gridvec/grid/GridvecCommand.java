package io.gridvec.grid;

import io.gridvec.grid.config.ConfigException;
import io.gridvec.grid.config.ConfigLoader;
import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.grid.config.NetworkCheck;
import io.gridvec.grid.node.GridNode;
import io.gridvec.grid.node.NodeLogging;
import io.gridvec.grid.node.NodeTracing;
import io.gridvec.grid.tls.NodeTls;
import io.gridvec.grid.tls.TlsException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.ignite.IgniteException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code gridvec} node command line; {@code ./gridvec bench ...} is served by the loadtest module. */
@Command(
        name = "gridvec",
        mixinStandardHelpOptions = true,
        version = "Gridvec 0.1.0-SNAPSHOT",
        description = "Gridvec, a distributed vector database on Apache Ignite.",
        subcommands = {GridvecCommand.Start.class, GridvecCommand.Config.class, ClusterCommand.class,
                SnapshotCommand.class, KeysCommand.class, PlanCommand.class, StopCommand.class})
public final class GridvecCommand implements Callable<Integer> {

    /** Exit status for an invalid configuration. */
    static final int INVALID_CONFIG = 2;
    /** Exit status when the node could not start (a port in use, a cluster of another name). */
    static final int START_FAILED = 4;

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /** Runs the CLI and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new GridvecCommand()).execute(args));
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
            description = {"Start a Gridvec node and run it until it is stopped (SIGTERM or Ctrl-C stop it "
                    + "gracefully).", "Without --config: a single node, data in ./data, thin client and JDBC on "
                    + "127.0.0.1:10800. Flags override the file and GRIDVEC_* environment variables."})
    static final class Start implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file.")
        Path config;
        @Option(names = "--data-dir", description = "node.dataDir")
        String dataDir;
        @Option(names = "--node-name", description = "node.name (also the Ignite consistent id)")
        String nodeName;
        @Option(names = "--rest-host", description = "rest.host")
        String restHost;
        @Option(names = "--rest-port", description = "rest.port")
        String restPort;
        @Option(names = "--client-port", description = "cluster.clientPort (thin clients and JDBC)")
        String clientPort;
        @Option(names = "--discovery-port", description = "cluster.discoveryPort")
        String discoveryPort;
        @Option(names = "--communication-port", description = "cluster.communicationPort")
        String communicationPort;
        @Option(names = "--seeds", description = "cluster.seeds: host:port[..port],...")
        String seeds;
        @Option(names = "--wal-mode", description = "storage.walMode: LOG_ONLY, FSYNC or BACKGROUND")
        String walMode;
        @Option(names = "--security", description = "security.enabled: every request but GET /health needs an API "
                + "key (the first admin key from GRIDVEC_ADMIN_KEY)")
        boolean security;

        @Override
        public Integer call() throws InterruptedException {
            GridvecConfig config;
            try {
                config = ConfigLoader.load(this.config, System.getenv(), overrides());
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return INVALID_CONFIG;
            }
            List<String> busy = NetworkCheck.portsInUse(config);
            if (!busy.isEmpty()) {
                System.err.println("gridvec: the node cannot start:");
                busy.forEach(problem -> System.err.println("  - " + problem));
                return START_FAILED;
            }
            NodeLogging.configure(config);
            NodeTracing.configure(config);
            // Gridvec's hook below stops the node (bounded by cluster.stopTimeoutMs); Ignite's own hook would
            // start a second, unbounded graceful stop beside it.
            System.setProperty("IGNITE_NO_SHUTDOWN_HOOK", "true");
            GridNode node;
            try {
                node = GridNode.start(config);
            } catch (IgniteException | TlsException | IllegalStateException e) {
                // Ignite's start failures, a TLS file that cannot be used, a client password the cluster refuses.
                System.err.println("gridvec: the node did not start: "
                        + (e instanceof IgniteException ? rootMessage(e) : e.getMessage()));
                NodeLogging.shutdown();
                return START_FAILED;
            }
            node.onStopRequest(() -> System.exit(0));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                    System.out.println("Gridvec node " + config.node().name() + " stopped.");
                } finally {
                    NodeTracing.shutdown();
                    NodeLogging.shutdown();
                    stopped.countDown();
                }
            }, "gridvec-shutdown"));
            System.out.println("Gridvec node " + config.node().name() + " started: data in "
                    + Path.of(config.node().dataDir()).toAbsolutePath().normalize() + ", REST on "
                    + (config.tls().rest() ? "https://" : "http://") + config.rest().host() + ":" + node.restPort()
                    + " (GET /health), thin clients and JDBC on "
                    + config.cluster().host() + ":" + config.cluster().clientPort() + ", cluster "
                    + node.ignite().cluster().state() + ".");
            stopped.await();
            return 0;
        }

        /** The innermost message of a start failure: Ignite wraps the reason in several layers. */
        private static String rootMessage(Throwable e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            return cause.getMessage();
        }

        private Map<String, String> overrides() {
            Map<String, String> overrides = new LinkedHashMap<>();
            put(overrides, "node.dataDir", dataDir);
            put(overrides, "node.name", nodeName);
            put(overrides, "rest.host", restHost);
            put(overrides, "rest.port", restPort);
            put(overrides, "cluster.clientPort", clientPort);
            put(overrides, "cluster.discoveryPort", discoveryPort);
            put(overrides, "cluster.communicationPort", communicationPort);
            put(overrides, "cluster.seeds", seeds);
            put(overrides, "storage.walMode", walMode);
            if (security) {
                overrides.put("security.enabled", "true");
            }
            return overrides;
        }

        private static void put(Map<String, String> overrides, String key, String value) {
            if (value != null) {
                overrides.put(key, value);
            }
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, description = "Configuration tools.",
            subcommands = Config.Validate.class)
    static final class Config {

        @Command(name = "validate", mixinStandardHelpOptions = true,
                description = "Check a configuration file (with GRIDVEC_* environment overrides) and list every "
                        + "problem.")
        static final class Validate implements Callable<Integer> {
            @Parameters(paramLabel = "FILE", description = "YAML configuration file.")
            Path file;

            @Override
            public Integer call() {
                try {
                    GridvecConfig config = ConfigLoader.load(file, System.getenv(), Map.of());
                    if (config.tls().rest() || config.tls().cluster()) {
                        NodeTls.sslContext(config.tls());
                    }
                } catch (ConfigException e) {
                    System.err.println(e.getMessage());
                    return INVALID_CONFIG;
                } catch (TlsException e) {
                    System.err.println(file + " is invalid:\n  - " + e.getMessage());
                    return INVALID_CONFIG;
                }
                System.out.println(file + " is valid");
                return 0;
            }
        }
    }
}
