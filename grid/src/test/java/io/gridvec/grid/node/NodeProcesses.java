package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A cluster of real node processes on loopback, started the way users start them ({@code ./gridvec start --config}
 * with this build's jars), each with its own ports, YAML file, data directory and log. Nodes can be stopped with
 * SIGTERM or killed with SIGKILL and started again on the same data.
 */
final class NodeProcesses implements AutoCloseable {

    /** The cluster name of every test cluster of processes. */
    static final String CLUSTER_NAME = "gridvec-it";
    /** How long a node's stop may wait for other nodes to take its partitions (cluster.stopTimeoutMs). */
    static final int STOP_TIMEOUT_MS = 10_000;

    private static final Path LAUNCHER = Path.of("..", "gridvec").toAbsolutePath().normalize();

    private final Path dir;
    private final int[][] ports;
    private final Process[] processes;

    /** Writes the configuration of {@code count} nodes with WAL mode {@code walMode} under {@code dir}. */
    NodeProcesses(Path dir, int count, String walMode) throws IOException {
        this(dir, count, walMode, "");
    }

    /**
     * Writes the configuration of {@code count} nodes with WAL mode {@code walMode} under {@code dir}, plus
     * {@code extraYaml} (whole sections, such as {@code "ingest: {maxIndexLagRecords: 100}"}); all of them form the
     * initial cluster.
     */
    NodeProcesses(Path dir, int count, String walMode, String extraYaml) throws IOException {
        this(dir, count, count, walMode, extraYaml);
    }

    /**
     * Writes the configuration of {@code count} nodes under {@code dir}, of which the first {@code initialNodes}
     * form a fresh cluster (the others join it later), each stopping within {@value #STOP_TIMEOUT_MS} ms.
     */
    NodeProcesses(Path dir, int count, int initialNodes, String walMode, String extraYaml) throws IOException {
        this.dir = dir;
        this.ports = new int[count][];
        this.processes = new Process[count];
        for (int i = 0; i < count; i++) {
            ports[i] = TestNodes.freePorts(4);
        }
        StringBuilder seeds = new StringBuilder();
        for (int[] node : ports) {
            seeds.append(seeds.isEmpty() ? "" : ", ").append("\"127.0.0.1:").append(node[1]).append('"');
        }
        for (int i = 0; i < count; i++) {
            Files.writeString(config(i), String.join("\n",
                    "node: {name: p" + i + ", dataDir: " + dir.resolve("p" + i) + "}",
                    "rest: {host: 127.0.0.1, port: " + ports[i][0] + "}",
                    "cluster: {name: " + CLUSTER_NAME + ", host: 127.0.0.1, discoveryPort: " + ports[i][1]
                            + ", communicationPort: " + ports[i][2] + ", clientPort: " + ports[i][3] + ", seeds: ["
                            + seeds + "], initialNodes: " + initialNodes + ", stopTimeoutMs: " + STOP_TIMEOUT_MS
                            + "}",
                    "storage: {walMode: " + walMode + ", walSegmentMb: 4, dataRegionMb: 256}", extraYaml, ""));
        }
    }

    int size() {
        return processes.length;
    }

    /** Starts node {@code i} (its log is appended to, across restarts), with the {@link ClassArchive}. */
    void start(int i) throws IOException {
        start(i, "-Xmx768m " + ClassArchive.option());
    }

    /** Starts node {@code i} with {@code GRIDVEC_JAVA_OPTS} set to {@code javaOpts}. */
    void start(int i, String javaOpts) throws IOException {
        processes[i] = launchWithJavaOpts(javaOpts, dir, dir.resolve("p" + i + ".log"), "start", "--config",
                config(i).toString());
    }

    /**
     * Runs {@code ./gridvec args} in {@code workDir} on this build's jars and this JVM's JDK, appending its output
     * to {@code log}.
     */
    static Process launch(Path workDir, Path log, String... args) throws IOException {
        return launchWithJavaOpts("-Xmx768m", workDir, log, args);
    }

    /** As {@link #launch}, with {@code GRIDVEC_JAVA_OPTS} set to {@code javaOpts} (empty: the launcher's defaults). */
    static Process launchWithJavaOpts(String javaOpts, Path workDir, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("GRIDVEC_SKIP_BUILD", "1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("GRIDVEC_JAVA_OPTS", javaOpts);
        builder.environment().put("JAVA_TOOL_OPTIONS", coverageAgent());
        return builder.start();
    }

    /**
     * The JaCoCo agent that failsafe passes for node processes (grid/pom.xml), or nothing when the build runs without
     * it. A node killed with SIGKILL loses its coverage data; a stopped one writes it.
     */
    private static String coverageAgent() {
        String agent = System.getProperty("gridvec.coverage.nodeAgent", "");
        return agent.contains("-javaagent:") ? agent : "";
    }

    /** Kills node {@code i} with SIGKILL: no shutdown hook, no checkpoint, no goodbye to the cluster. */
    void kill(int i) throws InterruptedException {
        processes[i].destroyForcibly();
        assertThat(processes[i].waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to node {@code i}'s process. */
    void signal(int i, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes[i].pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + signal + " " + processes[i].pid()).isZero();
    }

    /** Stops node {@code i} with SIGTERM and waits for its graceful stop. */
    void stop(int i) throws InterruptedException {
        processes[i].destroy();
        assertThat(processes[i].waitFor(120, TimeUnit.SECONDS)).as(() -> log(i)).isTrue();
    }

    /** Sends SIGTERM to node {@code i} without waiting. */
    void terminate(int i) {
        processes[i].destroy();
    }

    /** Waits up to {@code timeout} for node {@code i}'s process to exit; returns whether it did. */
    boolean awaitExit(int i, Duration timeout) throws InterruptedException {
        return processes[i].waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Returns whether node {@code i}'s process runs. */
    boolean alive(int i) {
        return processes[i] != null && processes[i].isAlive();
    }

    /** Starts every node at once and waits until all are ready. */
    void startAll(Duration timeout) throws IOException {
        for (int i = 0; i < processes.length; i++) {
            start(i);
        }
        for (int i = 0; i < processes.length; i++) {
            awaitReady(i, timeout);
        }
    }

    /**
     * Waits until node {@code i} answers {@code GET /ready} with 200; on a timeout, the failure shows the last answer
     * and the end of the node's log.
     */
    void awaitReady(int i, Duration timeout) {
        AtomicReference<String> last = new AtomicReference<>("no answer");
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                assertThat(processes[i].isAlive()).as(() -> "node p" + i + " exited: " + log(i)).isTrue();
                HttpResponse<String> ready = http(i, "GET", "/ready", null);
                last.set(ready.statusCode() + " " + ready.body());
                return ready.statusCode() == 200;
            });
        } catch (ConditionTimeoutException e) {
            String log = log(i);
            throw new AssertionError("node p" + i + " not ready within " + timeout + "; its last /ready: " + last.get()
                    + "; the end of its log:\n" + log.substring(Math.max(0, log.length() - 6_000)), e);
        }
    }

    /** Sends a request to node {@code i}'s REST API. */
    HttpResponse<String> http(int i, String method, String path, String body) throws IOException,
            InterruptedException {
        return TestNodes.http(ports[i][0], method, path, body);
    }

    String log(int i) {
        try {
            return Files.readString(dir.resolve("p" + i + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Returns node {@code i}'s REST base URL. */
    String url(int i) {
        return "http://127.0.0.1:" + ports[i][0];
    }

    /** Returns node {@code i}'s discovery address, {@code 127.0.0.1:port}. */
    String discoveryAddress(int i) {
        return "127.0.0.1:" + ports[i][1];
    }

    Path config(int i) {
        return dir.resolve("p" + i + ".yaml");
    }

    /** Kills whatever still runs (SIGKILL ends a stopped process too). */
    @Override
    public void close() {
        for (Process process : processes) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }
}
