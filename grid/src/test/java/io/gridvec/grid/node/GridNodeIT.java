package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.grid.config.GridvecConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Ignite server with native persistence in a temporary directory, started, stopped and restarted. */
class GridNodeIT {

    @TempDir
    Path dataDir;

    @Test
    void freshNodeActivatesFixesItsBaselineAndKeepsDataAcrossRestart() throws Exception {
        GridvecConfig config = config("it-node", 1);
        try (GridNode node = GridNode.start(config)) {
            assertThat(node.ignite().cluster().state()).isEqualTo(ClusterState.ACTIVE);
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.restPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(baseline(node)).containsExactly("it-node");
            IgniteCache<Integer, String> cache = node.ignite().getOrCreateCache("it");
            for (int i = 0; i < 1_000; i++) {
                cache.put(i, "v" + i);
            }
        }
        try (GridNode node = GridNode.start(config)) {
            assertThat(node.ignite().cluster().state()).isEqualTo(ClusterState.ACTIVE);
            assertThat(baseline(node)).containsExactly("it-node");
            IgniteCache<Integer, String> cache = node.ignite().cache("it");
            assertThat(cache.size()).isEqualTo(1_000);
            assertThat(cache.get(42)).isEqualTo("v42");
        }
    }

    @Test
    void freshClusterWaitsForItsInitialNodesBeforeActivating() throws IOException {
        try (GridNode node = GridNode.start(config("it-lonely", 2))) {
            assertThat(node.ignite().cluster().state()).isEqualTo(ClusterState.INACTIVE);
            assertThat(node.ignite().cluster().currentBaselineTopology()).isNull();
        }
    }

    private static List<String> baseline(GridNode node) {
        return node.ignite().cluster().currentBaselineTopology().stream()
                .map(BaselineNode::consistentId)
                .map(Object::toString)
                .toList();
    }

    /** A node on free loopback ports (never Ignite's defaults, which another process may hold). */
    private GridvecConfig config(String name, int initialNodes) throws IOException {
        int[] ports = freePorts(4);
        return new GridvecConfig(
                new GridvecConfig.Node(name, dataDir.resolve(name).toString()),
                new GridvecConfig.Rest("127.0.0.1", ports[0]),
                new GridvecConfig.Cluster("127.0.0.1", ports[1], ports[2], ports[3],
                        List.of("127.0.0.1:" + ports[1]), initialNodes),
                new GridvecConfig.Storage("LOG_ONLY", 1, 128));
    }

    private static int[] freePorts(int count) throws IOException {
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
