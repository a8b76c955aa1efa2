package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ignite.ShutdownPolicy;

/** Configurations of test nodes on free loopback ports (never Ignite's defaults), and an HTTP helper. */
final class TestNodes {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Test ports start at a random point of [20000, 25000), so two test runs on one machine rarely collide. */
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(20_000 + new Random().nextInt(5_000));
    private static final int LAST_PORT = 32_000;

    /**
     * The default search settings without recall sampling: its exact searches would add fan-outs at random to what
     * tests count (RecallIT turns it on).
     */
    static final GridvecConfig.Search NO_RECALL_SAMPLES = new GridvecConfig.Search(
            GridvecConfig.defaults().search().hedgeDelayMs(), GridvecConfig.defaults().search().timeoutMs(),
            GridvecConfig.defaults().search().resultCacheMb(), 0);

    private TestNodes() {}

    static GridvecConfig config(Path dataDir, String name, int initialNodes) throws IOException {
        int[] ports = freePorts(4);
        return new GridvecConfig(
                new GridvecConfig.Node(name, dataDir.resolve(name).toString()),
                new GridvecConfig.Rest("127.0.0.1", ports[0], 30_000),
                new GridvecConfig.Cluster("gridvec-test", "127.0.0.1", ports[1], ports[2], ports[3],
                        List.of("127.0.0.1:" + ports[1]), initialNodes, 30_000),
                new GridvecConfig.Storage("LOG_ONLY", 1, 10, 128),
                GridvecConfig.defaults().ingest(),
                NO_RECALL_SAMPLES,
                GridvecConfig.defaults().log(),
                GridvecConfig.defaults().tracing(),
                GridvecConfig.defaults().security(),
                GridvecConfig.defaults().tls());
    }

    /** Returns {@code config} with {@code seed}'s discovery address as its seed, so it joins seed's cluster. */
    static GridvecConfig joining(GridvecConfig config, GridvecConfig seed) {
        return withSeeds(config, List.of("127.0.0.1:" + seed.cluster().discoveryPort()));
    }

    /** Returns {@code config} with {@code seeds} as its discovery addresses. */
    static GridvecConfig withSeeds(GridvecConfig config, List<String> seeds) {
        GridvecConfig.Cluster c = config.cluster();
        return config.withCluster(new GridvecConfig.Cluster(c.name(), c.host(), c.discoveryPort(),
                c.communicationPort(), c.clientPort(), List.copyOf(seeds), c.initialNodes(), c.stopTimeoutMs()));
    }

    /**
     * Stops a whole cluster (the nodes not null). Its collections have backups, so the cluster-wide shutdown policy
     * goes to IMMEDIATE first: a graceful stop of the second-to-last node would wait cluster.stopTimeoutMs for copies
     * of partitions that the nodes stopped before it held.
     */
    static void stopAll(GridNode... nodes) {
        Arrays.stream(nodes).filter(Objects::nonNull).findFirst()
                .ifPresent(node -> node.ignite().cluster().shutdownPolicy(ShutdownPolicy.IMMEDIATE));
        for (GridNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    /** Sends {@code method path} with an optional JSON body to the node's REST API. */
    static HttpResponse<String> http(GridNode node, String method, String path, String body)
            throws IOException, InterruptedException {
        return http(node.restPort(), method, path, body);
    }

    /** Sends {@code method path} with an optional JSON body to the REST API on loopback port {@code port}. */
    static HttpResponse<String> http(int port, String method, String path, String body)
            throws IOException, InterruptedException {
        return http(port, method, path, body, null);
    }

    /** Sends {@code method path} with an optional JSON body and an optional API key (a bearer token). */
    static HttpResponse<String> http(int port, String method, String path, String body, String apiKey)
            throws IOException, InterruptedException {
        return http("127.0.0.1", port, method, path, body, apiKey);
    }

    /**
     * Sends {@code method path} to the REST API at {@code address:port}: loopback, or a test host in a network
     * namespace the test made ({@link NetnsHosts}), never any other address.
     */
    static HttpResponse<String> http(String address, int port, String method, String path, String body,
            String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Returns the body of an upsert of records {@code r<from>} to {@code r<from + count - 1>}, with random vectors of
     * {@code dim} uniform floats and {@code payload} (JSON, or null for none) each.
     */
    static String randomRecords(int from, int count, int dim, Random random, String payload) {
        StringBuilder body = new StringBuilder("{\"records\": [");
        for (int i = from; i < from + count; i++) {
            body.append(i == from ? "" : ",").append("{\"id\": \"r").append(i).append("\", \"vector\": [");
            for (int d = 0; d < dim; d++) {
                body.append(d == 0 ? "" : ",").append(random.nextFloat());
            }
            body.append(']').append(payload == null ? "" : ", \"payload\": " + payload).append('}');
        }
        return body.append("]}").toString();
    }

    /**
     * Returns {@code count} ports that were free a moment ago, all below Linux's ephemeral range (32768 and up):
     * outgoing connections take their local ports from that range, so one could take a port picked there before the
     * node that was given it binds it. Ports are handed out in turn, never twice in one test run.
     */
    static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        for (int i = 0; i < count; ) {
            int port = NEXT_PORT.getAndIncrement();
            if (port >= LAST_PORT) {
                throw new IllegalStateException("no free test ports left below " + LAST_PORT);
            }
            try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                ports[i++] = socket.getLocalPort();
            } catch (BindException e) {
                // Taken: try the next one.
            }
        }
        return ports;
    }
}
