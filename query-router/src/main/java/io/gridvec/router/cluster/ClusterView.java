package io.gridvec.router.cluster;

import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.registry.ShardStatus;
import io.gridvec.shard.record.PartitionDigest;
import io.gridvec.shard.record.PartitionDigestJob;
import io.gridvec.shard.registry.ShardStatusJob;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** How long a broadcast for shard states or digests may take. */
    private static final long STATUS_TIMEOUT_MS = 30_000;

    private final Ignite ignite;

    /** Reports on the cluster {@code ignite} belongs to. */
    public ClusterView(Ignite ignite) {
        this.ignite = ignite;
    }

    /** Returns the nodes (servers and clients) and the baseline with each member's online state. */
    public Map<String, Object> topology() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", ignite.cluster().state().name());
        List<Map<String, Object>> nodes = new ArrayList<>();
        String local = nodeId(ignite.cluster().localNode());
        for (ClusterNode node : ignite.cluster().nodes()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", nodeId(node));
            entry.put("order", node.order());
            entry.put("addresses", node.addresses());
            entry.put("client", node.isClient());
            entry.put("local", nodeId(node).equals(local));
            nodes.add(entry);
        }
        nodes.sort((a, b) -> Long.compare((long) a.get("order"), (long) b.get("order")));
        body.put("nodes", nodes);
        Collection<BaselineNode> baseline = ignite.cluster().currentBaselineTopology();
        List<String> online = ignite.cluster().forServers().nodes().stream().map(ClusterView::nodeId).toList();
        body.put("baseline", baseline == null ? List.of() : baseline.stream()
                .map(node -> Map.of("id", String.valueOf(node.consistentId()),
                        "online", online.contains(String.valueOf(node.consistentId()))))
                .toList());
        return body;
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
