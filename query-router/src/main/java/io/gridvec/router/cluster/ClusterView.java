package io.gridvec.router.cluster;

import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.registry.RebalanceReceived;
import io.gridvec.shard.registry.RebalanceReceivedJob;
import io.gridvec.shard.registry.ShardRegistry;
import io.gridvec.shard.registry.ShardStatus;
import io.gridvec.shard.record.PartitionDigest;
import io.gridvec.shard.record.PartitionDigestJob;
import io.gridvec.shard.registry.ShardStatusJob;
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
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.lang.IgniteCallable;

/**
 * What {@code GET /v1/cluster} and {@code GET /v1/collections/{name}} report about the cluster: its nodes and
 * baseline, and per partition of a collection its owners (primary first) and the state of each owner's shard, asked
 * from every server with one broadcast. Thread-safe.
 */
public final class ClusterView {

    /** The node attribute holding a server's REST base URL ({@code http://host:port}). */
    public static final String REST_ATTRIBUTE = "gridvec.rest.url";
    /** The node attribute holding a server's discovery address ({@code host:port}); it closes when Ignite stops. */
    public static final String DISCOVERY_ATTRIBUTE = "gridvec.discovery";

    /** How long a broadcast for shard states or digests may take. */
    private static final long STATUS_TIMEOUT_MS = 30_000;

    private final Ignite ignite;
    private final ShardRegistry shards;

    /** Reports on the cluster {@code ignite} belongs to; rebalancing progress comes from this node's {@code shards}. */
    public ClusterView(Ignite ignite, ShardRegistry shards) {
        this.ignite = ignite;
        this.shards = shards;
    }

    /**
     * Returns the nodes (servers and clients; per server whether it is in the baseline and how many primary and
     * backup partition copies it holds over {@code collections}), the baseline with each member's online state, the
     * running servers outside it, and per collection how many partition copies rebalancing is still moving.
     */
    public Map<String, Object> topology(List<CollectionSpec> collections) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", ignite.cluster().state().name());
        Collection<BaselineNode> baseline = ignite.cluster().currentBaselineTopology();
        Set<String> members = baseline == null ? Set.of()
                : baseline.stream().map(node -> String.valueOf(node.consistentId())).collect(Collectors.toSet());
        List<CollectionSpec> started = collections.stream().filter(spec -> ignite.cache(spec.cacheName()) != null)
                .toList();
        List<Map<String, Object>> nodes = new ArrayList<>();
        String local = nodeId(ignite.cluster().localNode());
        for (ClusterNode node : ignite.cluster().nodes()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", nodeId(node));
            entry.put("order", node.order());
            entry.put("addresses", node.addresses());
            entry.put("rest", node.attribute(REST_ATTRIBUTE));
            entry.put("discovery", node.attribute(DISCOVERY_ATTRIBUTE));
            entry.put("client", node.isClient());
            entry.put("local", nodeId(node).equals(local));
            if (!node.isClient()) {
                entry.put("inBaseline", members.contains(nodeId(node)));
                int primary = 0;
                int backup = 0;
                for (CollectionSpec spec : started) {
                    primary += ignite.affinity(spec.cacheName()).primaryPartitions(node).length;
                    backup += ignite.affinity(spec.cacheName()).backupPartitions(node).length;
                }
                entry.put("partitions", Map.of("primary", primary, "backup", backup));
            }
            nodes.add(entry);
        }
        nodes.sort((a, b) -> Long.compare((long) a.get("order"), (long) b.get("order")));
        body.put("nodes", nodes);
        List<String> online = ignite.cluster().forServers().nodes().stream().map(ClusterView::nodeId).toList();
        body.put("baseline", baseline == null ? List.of() : baseline.stream()
                .map(node -> Map.of("id", String.valueOf(node.consistentId()),
                        "online", online.contains(String.valueOf(node.consistentId()))))
                .toList());
        body.put("outsideBaseline", baseline == null ? List.of()
                : online.stream().filter(id -> !members.contains(id)).sorted().toList());
        Map<String, List<RebalanceReceived>> received = started.isEmpty() ? Map.of()
                : broadcast(new RebalanceReceivedJob()).stream().collect(Collectors.groupingBy(r -> r.cacheName));
        Map<String, Object> rebalancing = new LinkedHashMap<>();
        for (CollectionSpec spec : started) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("movingCopies", shards.movingCopies(spec.cacheName()));
            Map<String, Object> byNode = new LinkedHashMap<>();
            for (RebalanceReceived node : received.getOrDefault(spec.cacheName(), List.of())) {
                byNode.put(node.node, Map.of("keys", node.keys, "bytes", node.bytes));
            }
            entry.put("receivedSinceLastRebalanceStarted", byNode);
            rebalancing.put(spec.name(), entry);
        }
        body.put("rebalancing", rebalancing);
        return body;
    }

    /** Returns whether the cluster is active (its catalog readable). */
    public boolean active() {
        return ignite.cluster().state().active();
    }

    /** Returns whether this node is in the baseline (false before a fresh cluster has one). */
    public boolean localInBaseline() {
        Collection<BaselineNode> baseline = ignite.cluster().currentBaselineTopology();
        Object self = ignite.cluster().localNode().consistentId();
        return baseline != null && baseline.stream().anyMatch(node -> node.consistentId().equals(self));
    }

    /**
     * Returns, per partition of each collection, its owners and their shards' states.
     *
     * @param specs the collections to report
     */
    public Map<String, List<Map<String, Object>>> partitions(List<CollectionSpec> specs) {
        String only = specs.size() == 1 ? specs.get(0).name() : null;
        Map<String, List<ShardStatus>> byCollectionPartition = shardStatuses(only).stream()
                .collect(Collectors.groupingBy(status -> status.collection + "/" + status.partition));
        Map<String, List<Map<String, Object>>> body = new LinkedHashMap<>();
        for (CollectionSpec spec : specs) {
            if (ignite.cache(spec.cacheName()) == null) {
                continue;
            }
            var affinity = ignite.affinity(spec.cacheName());
            List<Map<String, Object>> partitions = new ArrayList<>();
            for (int partition = 0; partition < spec.partitions(); partition++) {
                List<String> owners = affinity.mapPartitionToPrimaryAndBackups(partition).stream()
                        .map(ClusterView::nodeId).toList();
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("partition", partition);
                entry.put("owners", owners);
                entry.put("shards", byCollectionPartition.getOrDefault(spec.name() + "/" + partition, List.of())
                        .stream().map(ClusterView::shard).toList());
                partitions.add(entry);
            }
            body.put(spec.name(), partitions);
        }
        return body;
    }

    /**
     * Compares the copies of every partition of a collection across its owners: each owner digests its copy (record
     * count and a checksum of ids, versions, vectors and payloads) and a partition is consistent when every current
     * owner answered with the same digest.
     */
    public Map<String, Object> consistency(CollectionSpec spec) {
        Map<Integer, List<PartitionDigest>> byPartition = broadcast(new PartitionDigestJob(spec.cacheName())).stream()
                .collect(Collectors.groupingBy(digest -> digest.partition));
        var affinity = ignite.affinity(spec.cacheName());
        List<Map<String, Object>> partitions = new ArrayList<>();
        int divergent = 0;
        for (int partition = 0; partition < spec.partitions(); partition++) {
            List<PartitionDigest> digests = byPartition.getOrDefault(partition, List.of());
            int owners = affinity.mapPartitionToPrimaryAndBackups(partition).size();
            boolean consistent = digests.size() == owners && digests.stream()
                    .allMatch(d -> d.records == digests.get(0).records && d.checksum == digests.get(0).checksum);
            divergent += consistent ? 0 : 1;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("partition", partition);
            entry.put("consistent", consistent);
            entry.put("copies", digests.stream().map(ClusterView::copy).toList());
            partitions.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("collection", spec.name());
        body.put("divergentPartitions", divergent);
        body.put("partitions", partitions);
        return body;
    }

    private List<ShardStatus> shardStatuses(String collection) {
        return broadcast(new ShardStatusJob(collection));
    }

    /** Asks every server; a node that leaves during the broadcast makes it ask the remaining ones again. */
    private <T> List<T> broadcast(IgniteCallable<List<T>> job) {
        for (int attempt = 1; ; attempt++) {
            try {
                Collection<List<T>> replies = ignite.compute(ignite.cluster().forServers())
                        .withTimeout(STATUS_TIMEOUT_MS)
                        .broadcast(job);
                return replies.stream().flatMap(List::stream).toList();
            } catch (ClusterTopologyException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static Map<String, Object> copy(PartitionDigest digest) {
        Map<String, Object> copy = new LinkedHashMap<>();
        copy.put("node", digest.node);
        copy.put("records", digest.records);
        copy.put("checksum", Long.toHexString(digest.checksum));
        return copy;
    }

    private static Map<String, Object> shard(ShardStatus status) {
        Map<String, Object> shard = new LinkedHashMap<>();
        shard.put("node", status.node);
        shard.put("state", status.state);
        shard.put("records", status.records);
        shard.put("pending", status.pending);
        shard.put("pendingBytes", status.pendingBytes);
        shard.put("tombstones", status.tombstones);
        shard.put("builtFrom", status.builtFrom);
        shard.put("failures", status.failures);
        shard.put("unsearchable", status.unsearchable);
        return shard;
    }

    private static String nodeId(ClusterNode node) {
        return String.valueOf(node.consistentId());
    }
}
