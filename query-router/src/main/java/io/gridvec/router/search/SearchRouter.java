package io.gridvec.router.search;

import io.gridvec.index.vector.Metric;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.partition.NodeSearchResult;
import io.gridvec.shard.partition.SearchHit;
import io.gridvec.shard.partition.SearchQuery;
import io.gridvec.shard.partition.ShardSearchJob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.compute.ComputeExecutionRejectedException;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.lang.IgniteFutureTimeoutException;

/**
 * Answers searches over a whole collection: takes the current affinity assignment, groups the partitions by owner,
 * sends one {@link ShardSearchJob} per node with its partition list, and merges the per-node top-k into the global
 * top-k. Each partition is answered exactly once. Partitions a node returns as moved, or whose node failed or left,
 * are retried on another owner (the next one in primary-then-backups order) until they are answered or the deadline
 * passes. Thread-safe.
 */
public final class SearchRouter {

    /** How long a search may spend finding an owner with a ready shard for every partition. */
    public static final long DEADLINE_MS = 10_000;
    private static final long MAX_BACKOFF_MS = 200;

    private final Ignite ignite;
    private final CollectionCatalog catalog;

    /** Routes searches over the cluster of {@code ignite}. */
    public SearchRouter(Ignite ignite, CollectionCatalog catalog) {
        this.ignite = ignite;
        this.catalog = catalog;
    }

    /** The answer to a batch of queries: per query its hits, best first, and how many partitions were searched. */
    public record Answer(List<List<SearchHit>> hits, int searched, int total) {}

    /**
     * Searches every partition of the collection for every query.
     *
     * @throws PartitionsUnavailableException when some partition had no owner with a ready shard before the deadline
     * @throws io.gridvec.shard.catalog.CollectionNotFoundException when the collection is deleted meanwhile
     */
    public Answer search(CollectionSpec spec, SearchQuery[] queries) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        TreeSet<Integer> remaining = new TreeSet<>();
        for (int p = 0; p < spec.partitions(); p++) {
            remaining.add(p);
        }
        int[] attempts = new int[spec.partitions()];
        List<List<SearchHit>> found = new ArrayList<>();
        for (int q = 0; q < queries.length; q++) {
            found.add(new ArrayList<>());
        }
        for (int round = 0; !remaining.isEmpty(); round++) {
            if (round > 0) {
                catalog.require(spec.name());
                pause(deadline, round, remaining);
            }
            Map<ClusterNode, List<Integer>> plan = plan(spec, remaining, attempts);
            Map<ClusterNode, IgniteFuture<NodeSearchResult>> replies = new LinkedHashMap<>();
            plan.forEach((node, partitions) -> replies.put(node, send(node, new ShardSearchJob(spec.cacheName(),
                    partitions.stream().mapToInt(Integer::intValue).toArray(), queries))));
            for (Map.Entry<ClusterNode, IgniteFuture<NodeSearchResult>> reply : replies.entrySet()) {
                NodeSearchResult result = reply.getValue() == null ? null
                        : await(reply.getKey(), reply.getValue(), deadline);
                if (result == null) {
                    plan.get(reply.getKey()).forEach(p -> attempts[p]++);
                    continue;
                }
                for (int p : result.searched()) {
                    remaining.remove(p);
                }
                for (int p : result.moved()) {
                    attempts[p]++;
                }
                for (int q = 0; q < queries.length; q++) {
                    found.get(q).addAll(List.of(result.hits(q)));
                }
            }
        }
        Metric metric = Metric.parse(spec.metric());
        Comparator<SearchHit> best = Comparator.comparingDouble(hit -> metric.distance(hit.score()));
        List<List<SearchHit>> merged = new ArrayList<>(queries.length);
        for (int q = 0; q < queries.length; q++) {
            List<SearchHit> hits = found.get(q);
            hits.sort(best);
            merged.add(List.copyOf(hits.subList(0, Math.min(queries[q].k(), hits.size()))));
        }
        return new Answer(merged, spec.partitions(), spec.partitions());
    }

    /** Picks an owner per remaining partition: the primary first, then the next owner on every retry. */
    private Map<ClusterNode, List<Integer>> plan(CollectionSpec spec, TreeSet<Integer> remaining, int[] attempts) {
        Affinity<Object> affinity = ignite.affinity(spec.cacheName());
        Map<ClusterNode, List<Integer>> plan = new HashMap<>();
        for (int p : remaining) {
            List<ClusterNode> owners = new ArrayList<>(affinity.mapPartitionToPrimaryAndBackups(p));
            if (!owners.isEmpty()) {
                plan.computeIfAbsent(owners.get(attempts[p] % owners.size()), node -> new ArrayList<>()).add(p);
            }
        }
        return plan;
    }

    /** Sends a job to a node; returns null when the node has left already (its partitions are retried). */
    private IgniteFuture<NodeSearchResult> send(ClusterNode node, ShardSearchJob job) {
        try {
            return ignite.compute(ignite.cluster().forNode(node)).callAsync(job);
        } catch (ClusterTopologyException e) {
            return null;
        }
    }

    /**
     * Returns a node's answer, or null when the node failed, left, is stopping, or did not answer before the deadline
     * (its partitions are retried). Any other failure of the job is a fault and propagates.
     */
    private NodeSearchResult await(ClusterNode node, IgniteFuture<NodeSearchResult> reply, long deadline) {
        long left = deadline - System.nanoTime();
        try {
            return reply.get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS);
        } catch (ClusterTopologyException | IgniteFutureTimeoutException | ComputeExecutionRejectedException e) {
            reply.cancel();
            return null;
        } catch (IgniteException e) {
            if (ignite.cluster().node(node.id()) == null) {
                return null; // it failed because its node went away
            }
            throw e;
        }
    }

    private static void pause(long deadline, int round, TreeSet<Integer> remaining) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new PartitionsUnavailableException(List.copyOf(remaining), DEADLINE_MS);
        }
        long backoff = Math.min(MAX_BACKOFF_MS, 5L << Math.min(round, 6));
        try {
            Thread.sleep(Math.min(backoff, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IgniteInterruptedException(e);
        }
    }
}
