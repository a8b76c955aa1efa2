package io.gridvec.grid.node;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A class-data sharing archive (JDK dynamic CDS) of the classes a node loads, made once per test JVM by a node started
 * for it, so that the many node processes the ITs start map those classes instead of loading and verifying them one
 * by one: about a third less CPU per start on this machine (7.0-7.4 s to {@code /ready} without it, 4.7-5.2 s with
 * it; with the coverage agent 9-10 s and 6.5 s). It changes how fast classes load, not what a node does. The node
 * that makes it runs with the nodes' JVM options and agent plus the dump option (a JVM that differs from it in
 * {@code AllowArchivingWithJavaAgent} does not use it at all); when it cannot be made, nodes start without it and a
 * line says why.
 */
final class ClassArchive {

    /**
     * Allows the coverage agent while archiving and using the archive, and silences the JDK's lines about the archive
     * (that it was made with an agent, for tests only; that the agent's module differs, so the module graph is not
     * taken from it), which would otherwise start every node's log.
     */
    private static final String AGENT_ALLOWED = "-XX:+UnlockDiagnosticVMOptions -XX:+AllowArchivingWithJavaAgent"
            + " -Xlog:cds=off";

    private static String option;

    private ClassArchive() {}

    /** The JVM option that makes a node use the archive, or "" when there is none; makes it on first use. */
    static synchronized String option() {
        if (option == null) {
            option = make();
        }
        return option;
    }

    private static String make() {
        long start = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gridvec-cds");
            Path written = dir.resolve("node.jsa");
            // The JDK writes a dynamic archive at a normal exit (SIGTERM is one); with a Java agent (the coverage
            // agent) only when allowed, and then only JVMs that allow it too can use the archive.
            try (NodeProcesses node = new NodeProcesses(dir, 1, "LOG_ONLY")) {
                node.start(0, "-Xmx768m -XX:ArchiveClassesAtExit=" + written + " " + AGENT_ALLOWED);
                node.awaitReady(0, Duration.ofMinutes(3));
                exercise(node);
                node.stop(0);
            }
            if (!Files.isRegularFile(written)) {
                System.out.println("ClassArchive: the node wrote no archive; nodes start without one");
                return "";
            }
            Path archive = Files.createTempFile("gridvec-node", ".jsa");
            archive.toFile().deleteOnExit();
            Files.move(written, archive, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("{\"test\":\"ClassArchive\",\"seconds\":%.1f,\"bytes\":%d}%n",
                    (System.nanoTime() - start) / 1e9, Files.size(archive));
            return "-XX:SharedArchiveFile=" + archive + " " + AGENT_ALLOWED;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            System.out.println("ClassArchive: none made (" + e + "); nodes start without one");
            return "";
        } finally {
            if (dir != null) {
                delete(dir);
            }
        }
    }

    /** Deletes {@code dir} and everything under it; what cannot be deleted is left and said. */
    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            System.out.println("ClassArchive: " + dir + " not deleted: " + e);
        }
    }

    /** What most ITs do first: a collection, writes, a search, so those classes are in the archive too. */
    private static void exercise(NodeProcesses node) throws IOException, InterruptedException {
        expect(201, node.http(0, "PUT", "/v1/collections/warm",
                "{\"dimension\": 4, \"metric\": \"l2\", \"partitions\": 2}"));
        expect(200, node.http(0, "PUT", "/v1/collections/warm/records",
                TestNodes.randomRecords(0, 50, 4, new Random(1), null)));
        expect(200, node.http(0, "POST", "/v1/collections/warm/search",
                "{\"vector\": [0.5, 0.5, 0.5, 0.5], \"k\": 5}"));
    }

    private static void expect(int status, HttpResponse<String> response) throws IOException {
        if (response.statusCode() != status) {
            throw new IOException(response.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
