package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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
        GridvecConfig config = TestNodes.config(dataDir, "it-node", 1);
        try (GridNode node = GridNode.start(config)) {
            assertThat(node.ignite().cluster().state()).isEqualTo(ClusterState.ACTIVE);
            HttpResponse<String> health = TestNodes.http(node, "GET", "/health", null);
            assertThat(health.statusCode()).isEqualTo(200);
            JsonNode healthBody = new ObjectMapper().readTree(health.body());
            assertThat(healthBody.path("status").asText()).isEqualTo("UP");
            assertThat(healthBody.path("process").path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());

            // The served OpenAPI document describes exactly the endpoints the server routes.
            JsonNode openApi = new ObjectMapper().readTree(TestNodes.http(node, "GET", "/openapi.json", null).body());
            assertThat(openApi.path("openapi").asText()).startsWith("3.");
            Set<String> documented = new TreeSet<>();
            openApi.path("paths").properties().forEach(path -> path.getValue().fieldNames()
                    .forEachRemaining(method -> documented.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey())));
            assertThat(documented).containsExactlyInAnyOrderElementsOf(node.restEndpoints());
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
    void freshClusterWaitsForItsInitialNodesBeforeActivating() throws Exception {
        try (GridNode node = GridNode.start(TestNodes.config(dataDir, "it-lonely", 2))) {
            assertThat(node.ignite().cluster().state()).isEqualTo(ClusterState.INACTIVE);
            assertThat(node.ignite().cluster().currentBaselineTopology()).isNull();
            HttpResponse<String> list = TestNodes.http(node, "GET", "/v1/collections", null);
            assertThat(list.statusCode()).isEqualTo(503);
            assertThat(list.body()).contains("\"code\":\"UNAVAILABLE\"");
            HttpResponse<String> ready = TestNodes.http(node, "GET", "/ready", null);
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"status\":\"NOT_READY\"", "\"clusterActive\":false");
            assertThat(TestNodes.http(node, "GET", "/health", null).statusCode()).isEqualTo(200);
        }
    }

    private static List<String> baseline(GridNode node) {
        return node.ignite().cluster().currentBaselineTopology().stream()
                .map(BaselineNode::consistentId)
                .map(Object::toString)
                .toList();
    }
}
