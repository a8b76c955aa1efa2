package io.gridvec.loadtest.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Gridvec node process run with the {@code gridvec} launcher ({@code gridvec start} with ports, seeds and the
 * cluster settings as flags and {@code GRIDVEC_*} variables) in its own directory, its console appended to
 * {@code <dir>.log}. The launcher execs the JVM, so the process is the node itself: {@link #kill} is a kill -9 of the
 * node. Not thread-safe.
 */
final class LocalNode {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** How long a graceful stop may take before the process is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

    private final String launcher;
    private final Path dir;
    private final String name;
    private final int[] ports;
    private final String seeds;
    private final int initialNodes;
    private final String clusterName;
    private Process process;

    /**
     * @param ports REST, discovery, communication and client port
     */
    LocalNode(String launcher, Path dir, String name, int[] ports, String seeds, int initialNodes,
            String clusterName) {
        this.launcher = launcher;
        this.dir = dir;
        this.name = name;
        this.ports = ports.clone();
        this.seeds = seeds;
        this.initialNodes = initialNodes;
        this.clusterName = clusterName;
    }

    /**
     * Returns the {@code gridvec} launcher that node processes start with, which {@code ./gridvec} passes in
     * {@code GRIDVEC_LAUNCHER}.
     *
     * @throws IllegalArgumentException when it is unset: {@code command} was not run through {@code ./gridvec}
     */
    static String launcher(String command) {
        String launcher = System.getenv("GRIDVEC_LAUNCHER");
        if (launcher == null) {
            throw new IllegalArgumentException(command + " starts nodes with the gridvec launcher: run it as ./"
                    + command + " (GRIDVEC_LAUNCHER is unset)");
        }
        return launcher;
    }

    /** A single node on free ports whose data lives in {@code dir}. */
    static LocalNode single(String launcher, Path dir, String clusterName) throws IOException {
        int[] ports = LocalCluster.freePorts(4);
        return new LocalNode(launcher, dir, clusterName + "-1", ports, "127.0.0.1:" + ports[1], 1, clusterName);
    }

    String name() {
        return name;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + ports[0]);
    }

    /** Returns the process id, or -1 when it is not running. */
    long pid() {
        return process == null ? -1 : process.pid();
    }

    /**
     * Starts the process (it keeps its data directory between starts).
     *
     * @throws IOException when the launcher cannot be run
     */
    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + name + " is running");
        }
        Files.createDirectories(dir);
        ProcessBuilder builder = new ProcessBuilder(launcher, "start", "--node-name", name, "--data-dir",
                dir.resolve("data").toString(), "--rest-port", String.valueOf(ports[0]), "--discovery-port",
                String.valueOf(ports[1]), "--communication-port", String.valueOf(ports[2]), "--client-port",
                String.valueOf(ports[3]), "--seeds", seeds)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().put("GRIDVEC_SKIP_BUILD", "1");
        builder.environment().put("GRIDVEC_CLUSTER_INITIAL_NODES", String.valueOf(initialNodes));
        builder.environment().put("GRIDVEC_CLUSTER_NAME", clusterName);
        process = builder.start();
    }

    /**
     * Waits until {@code GET /ready} answers 200.
     *
     * @throws IOException when the process exits first or {@code timeout} passes
     * @throws InterruptedException when interrupted
     */
    void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IOException("node " + name + " exited with status " + process.exitValue() + "; its log: "
                        + log());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("node " + name + " was not ready within " + timeout.toSeconds() + " s; its log: "
                        + log());
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private boolean ready() throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(url().resolve("/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** Kills the process at once (SIGKILL): no graceful stop, no snapshot. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Sends SIGTERM without waiting; {@link #stop} then waits. */
    void signalStop() {
        if (process != null && process.isAlive()) {
            process.destroy();
        }
    }

    /**
     * Stops the process gracefully (SIGTERM) and waits for it; kills it after {@link #STOP_TIMEOUT}.
     *
     * @throws InterruptedException when interrupted while waiting
     */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            throw new IllegalStateException("node " + name + " did not stop within " + STOP_TIMEOUT.toMinutes()
                    + " minutes of SIGTERM; it was killed");
        }
    }

    /** Returns the directory the node keeps its data in. */
    Path dataDir() {
        return dir.resolve("data");
    }

    /** Returns the file its console goes to. */
    private Path log() {
        return dir.resolveSibling(dir.getFileName() + ".log");
    }
}
