package io.gridvec.loadtest.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A cluster of Gridvec node processes started from this checkout with the {@code gridvec} launcher, on free loopback
 * ports, each in its own directory under {@code work}; every node's console goes to {@code node-<i>.log} there. Close
 * stops every node gracefully (SIGTERM). Not thread-safe.
 */
final class LocalCluster implements AutoCloseable {

    private final List<LocalNode> nodes = new ArrayList<>();

    private LocalCluster() {}

    /**
     * Starts {@code count} nodes that form one cluster named {@code name} and waits until every node is ready.
     *
     * @throws IOException when a node exits or is not ready within {@code timeout}
     * @throws InterruptedException when interrupted
     */
    static LocalCluster start(String launcher, Path work, int count, String name, Duration timeout)
            throws IOException, InterruptedException {
        LocalCluster cluster = new LocalCluster();
        try {
            List<int[]> ports = new ArrayList<>();
            StringJoiner seeds = new StringJoiner(",");
            for (int i = 0; i < count; i++) {
                int[] nodePorts = freePorts(4);
                ports.add(nodePorts);
                seeds.add("127.0.0.1:" + nodePorts[1]);
            }
            for (int i = 0; i < count; i++) {
                LocalNode node = new LocalNode(launcher, work.resolve("node-" + (i + 1)), name + "-" + (i + 1),
                        ports.get(i), seeds.toString(), count, name);
                cluster.nodes.add(node);
                node.start();
            }
            for (LocalNode node : cluster.nodes) {
                node.awaitReady(timeout);
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Returns the nodes, in start order. */
    List<LocalNode> nodes() {
        return List.copyOf(nodes);
    }

    /** Returns every node's REST URL. */
    List<URI> urls() {
        return nodes.stream().map(LocalNode::url).toList();
    }

    /**
     * Stops every node gracefully: SIGTERM to all at once (a cluster stopping as a whole, so no node waits to hand
     * its partitions to another), then waits for each; keeps the first failure and adds later ones as suppressed.
     *
     * @throws InterruptedException when interrupted while waiting for a node to exit
     */
    @Override
    public void close() throws InterruptedException {
        nodes.forEach(LocalNode::signalStop);
        RuntimeException failure = null;
        for (LocalNode node : nodes) {
            try {
                node.stop();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Returns {@code count} distinct free ports (free when asked; another process may take one before the node). */
    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }
}
