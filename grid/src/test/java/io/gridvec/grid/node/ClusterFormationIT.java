package io.gridvec.grid.node;

import static io.gridvec.grid.node.Workers.worker;
import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.grid.config.GridvecConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes started at the same moment form exactly one cluster whose baseline holds all of them. Before the oldest node
 * alone activated a fresh cluster, two nodes that each saw {@code initialNodes} servers both activated it, and the
 * baseline could miss a node. Three in-JVM nodes start together (released by one barrier), twenty times.
 */
class ClusterFormationIT {

    private static final int ROUNDS = Integer.getInteger("gridvec.test.formationRounds", 20);
    private static final int NODES = 3;

    @TempDir
    Path dir;

    @Test
    void nodesStartedTogetherFormOneClusterWithEveryNodeInTheBaseline() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            GridvecConfig[] configs = new GridvecConfig[NODES];
            List<String> seeds = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                configs[i] = TestNodes.config(dir.resolve("r" + round), "n" + i, NODES);
                seeds.add("127.0.0.1:" + configs[i].cluster().discoveryPort());
            }
            GridNode[] nodes = new GridNode[NODES];
            CyclicBarrier together = new CyclicBarrier(NODES);
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> starters = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                int node = i;
                GridvecConfig config = TestNodes.withSeeds(configs[i], seeds);
                starters.add(worker("start-n" + i, failures, () -> {
                    together.await(60, TimeUnit.SECONDS);
                    nodes[node] = GridNode.start(config);
                }));
            }
            try {
                for (Thread starter : starters) {
                    starter.join(120_000);
                }
                assertThat(failures).as("round " + round).isEmpty();
                for (GridNode node : nodes) {
                    var cluster = node.ignite().cluster();
                    assertThat(cluster.state()).as("round " + round).isEqualTo(ClusterState.ACTIVE);
                    assertThat(cluster.forServers().nodes()).as("round " + round).hasSize(NODES);
                    assertThat(cluster.currentBaselineTopology()).as("round " + round)
                            .extracting(BaselineNode::consistentId).containsExactlyInAnyOrder("n0", "n1", "n2");
                }
            } finally {
                TestNodes.stopAll(nodes);
            }
        }
    }
}
