package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Configurations of test nodes on free loopback ports (never Ignite's defaults), and an HTTP helper. */
final class TestNodes {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private TestNodes() {}

    static GridvecConfig config(Path dataDir, String name, int initialNodes) throws IOException {
        int[] ports = freePorts(4);
        return new GridvecConfig(
                new GridvecConfig.Node(name, dataDir.resolve(name).toString()),
                new GridvecConfig.Rest("127.0.0.1", ports[0]),
                new GridvecConfig.Cluster("127.0.0.1", ports[1], ports[2], ports[3],
                        List.of("127.0.0.1:" + ports[1]), initialNodes),
                new GridvecConfig.Storage("LOG_ONLY", 1, 128),
                GridvecConfig.defaults().ingest(),
                GridvecConfig.defaults().search());
    }

    /** Returns {@code config} with {@code seed}'s discovery address as its seed, so it joins seed's cluster. */
    static GridvecConfig joining(GridvecConfig config, GridvecConfig seed) {
        GridvecConfig.Cluster c = config.cluster();
        return new GridvecConfig(config.node(), config.rest(), new GridvecConfig.Cluster(c.host(), c.discoveryPort(),
                c.communicationPort(), c.clientPort(), List.of("127.0.0.1:" + seed.cluster().discoveryPort()),
                c.initialNodes()), config.storage(), config.ingest(), config.search());
    }

    /** Sends {@code method path} with an optional JSON body to the node's REST API. */
    static HttpResponse<String> http(GridNode node, String method, String path, String body)
            throws IOException, InterruptedException {
        return http(node.restPort(), method, path, body);
    }

    /** Sends {@code method path} with an optional JSON body to the REST API on loopback port {@code port}. */
    static HttpResponse<String> http(int port, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Returns {@code count} ports that were free a moment ago. */
    static int[] freePorts(int count) throws IOException {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }
}
