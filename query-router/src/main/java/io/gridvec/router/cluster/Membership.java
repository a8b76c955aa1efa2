package io.gridvec.router.cluster;

import io.gridvec.router.rest.ApiException;
import io.gridvec.shard.catalog.CollectionSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.ignite.Ignite;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterNode;

/**
 * Changes who holds data: adds a running server to the baseline, removes a node from it (stopping it first when it
 * runs, and refusing when that would lose the last copy of a partition), and asks every node to stop. Ignite
 * rebalances partitions after each baseline change; {@code GET /v1/cluster} shows its progress. Thread-safe.
 */
public final class Membership {

    /** The topic on which a node is asked to stop (every server listens; the message is the asking node's name). */
    public static final String STOP_TOPIC = "gridvec.cluster.stop";

    private static final System.Logger LOG = System.getLogger(Membership.class.getName());

    private final Ignite ignite;

    /** Changes the membership of {@code ignite}'s cluster. */
    public Membership(Ignite ignite) {
        this.ignite = ignite;
    }

    /**
     * Adds the running server node named {@code name} to the baseline; a node already in it is left alone.
     *
     * @throws ApiException 404 when no running server has that name, 503 while the cluster is not active
     */
    public Map<String, Object> add(String name) {
        requireActive();
        Collection<BaselineNode> baseline = ignite.cluster().currentBaselineTopology();
        if (baseline.stream().anyMatch(node -> name(node).equals(name))) {
            return answer(name, false, baseline);
        }
        ClusterNode joining = ignite.cluster().forServers().nodes().stream()
                .filter(node -> name(node).equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("no running server node is named '" + name
                        + "'; running servers: " + serverNames() + " (start the node first, with the same "
                        + "cluster.name and seeds)"));
        List<BaselineNode> changed = new ArrayList<>(baseline);
        changed.add(joining);
        ignite.cluster().setBaselineTopology(changed);
        LOG.log(System.Logger.Level.INFO, "Added node " + name + " to the baseline; partitions rebalance to it");
        return answer(name, true, ignite.cluster().currentBaselineTopology());
    }

    /**
     * Removes the node named {@code name} from the baseline. A node that is down leaves it at once. A running node is
     * first asked to stop (Ignite 2.17 refuses to remove a running node from the baseline): its stop waits until
     * another node holds a copy of each of its partitions; once it has left, it leaves the baseline, and rebalancing
     * restores the other nodes' backups. The request waits for that, up to {@code stopWaitMs}.
     *
     * @param collections every collection, to check that each partition keeps a copy
     * @throws ApiException 404 when the baseline has no such node, 409 when removing it would lose the last copy of
     *     a partition or when it is the node serving this request, 503 while the cluster is not active or when the
     *     node did not stop within {@code stopWaitMs}
     */
    public Map<String, Object> remove(String name, List<CollectionSpec> collections, long stopWaitMs)
            throws InterruptedException {
        requireActive();
        Collection<BaselineNode> baseline = ignite.cluster().currentBaselineTopology();
        if (baseline.stream().noneMatch(node -> name(node).equals(name))) {
            throw ApiException.notFound("node '" + name + "' is not in the baseline; baseline: "
                    + baseline.stream().map(Membership::name).sorted().toList());
        }
        Set<String> online = ignite.cluster().forServers().nodes().stream().map(Membership::name)
                .collect(Collectors.toSet());
        if (baseline.stream().noneMatch(node -> !name(node).equals(name) && online.contains(name(node)))) {
            throw conflict("removing node '" + name + "' would leave no running node in the baseline");
        }
        for (CollectionSpec spec : collections) {
            String loss = lastCopy(spec, name, online);
            if (loss != null) {
                throw conflict(loss);
            }
        }
        ClusterNode running = ignite.cluster().forServers().nodes().stream().filter(node -> name(node).equals(name))
                .findFirst().orElse(null);
        if (running != null) {
            if (running.isLocal()) {
                throw conflict("node '" + name + "' serves this request; send it to another node");
            }
            LOG.log(System.Logger.Level.INFO, "Asking node " + name + " to stop before it leaves the baseline");
            ignite.message(ignite.cluster().forNode(running)).send(STOP_TOPIC, name(ignite.cluster().localNode()));
            long deadline = System.nanoTime() + stopWaitMs * 1_000_000L;
            while (ignite.cluster().node(running.id()) != null) {
                if (System.nanoTime() > deadline) {
                    throw new ApiException(503, "UNAVAILABLE", "node '" + name + "' did not stop within " + stopWaitMs
                            + " ms; it is still in the baseline (retry, or stop it and retry)", null);
                }
                Thread.sleep(100);
            }
        }
        List<BaselineNode> remaining = ignite.cluster().currentBaselineTopology().stream()
                .filter(node -> !name(node).equals(name)).toList();
        ignite.cluster().setBaselineTopology(remaining);
        LOG.log(System.Logger.Level.INFO, "Removed node " + name + " from the baseline; rebalancing restores the "
                + "backups of its partitions on the other nodes");
        return answer(name, true, ignite.cluster().currentBaselineTopology());
    }

    /**
     * Asks this node to stop, as on SIGTERM (after its answer is sent); returns its name and discovery address (whose
     * port closes once its Ignite has stopped).
     */
    public Map<String, Object> stopThisNode() {
        String self = name(ignite.cluster().localNode());
        ignite.message(ignite.cluster().forLocal()).send(STOP_TOPIC, self);
        LOG.log(System.Logger.Level.INFO, "Asked to stop (POST /v1/node/stop)");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stopping", List.of(self));
        body.put("discovery", ignite.cluster().localNode().attribute(ClusterView.DISCOVERY_ATTRIBUTE));
        return body;
    }

    /** Asks every server node to stop; returns their names. Each node stops on its own, as on SIGTERM. */
    public Map<String, Object> stopAll() {
        List<String> servers = serverNames();
        ignite.message(ignite.cluster().forServers()).send(STOP_TOPIC, name(ignite.cluster().localNode()));
        LOG.log(System.Logger.Level.INFO, "Asked every server node to stop: " + servers);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stopping", servers);
        return body;
    }

    /**
     * Returns why removing {@code name} would lose a partition of {@code spec}, or null when every partition keeps a
     * copy on a running node.
     */
    private String lastCopy(CollectionSpec spec, String name, Set<String> online) {
        if (ignite.cache(spec.cacheName()) == null) {
            return null;
        }
        var affinity = ignite.affinity(spec.cacheName());
        for (int partition = 0; partition < spec.partitions(); partition++) {
            List<String> owners = affinity.mapPartitionToPrimaryAndBackups(partition).stream()
                    .map(Membership::name).toList();
            if (!owners.contains(name)) {
                continue;
            }
            boolean otherCopy = owners.stream().anyMatch(owner -> !owner.equals(name) && online.contains(owner));
            if (!otherCopy) {
                return spec.backups() == 0
                        ? "collection '" + spec.name() + "' has backups=0: node '" + name + "' holds the only copy of "
                                + "partition " + partition + " (and others), and removing it would lose them"
                        : "node '" + name + "' holds the only running copy of partition " + partition + " of "
                                + "collection '" + spec.name() + "'; start the other owners first";
            }
        }
        return null;
    }

    private void requireActive() {
        if (!ignite.cluster().state().active()) {
            throw new ApiException(503, "UNAVAILABLE", "the cluster is " + ignite.cluster().state()
                    + "; the baseline can change only while it is active", null);
        }
    }

    private Map<String, Object> answer(String name, boolean changed, Collection<BaselineNode> baseline) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", name);
        body.put("changed", changed);
        body.put("baseline", baseline.stream().map(Membership::name).sorted().toList());
        body.put("progress", "GET /v1/cluster: rebalancing counts the partition copies still moving");
        return body;
    }

    private List<String> serverNames() {
        return ignite.cluster().forServers().nodes().stream().map(Membership::name).sorted().toList();
    }

    private static ApiException conflict(String message) {
        return new ApiException(409, "CONFLICT", message, "node");
    }

    private static String name(BaselineNode node) {
        return String.valueOf(node.consistentId());
    }
}
