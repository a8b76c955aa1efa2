package io.gridvec.router.search;

import io.gridvec.index.vector.Metric;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.search.NodeSearchResult;
import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import io.gridvec.shard.search.ShardSearchJob;
import io.gridvec.shard.trace.Tracing;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.compute.ComputeExecutionRejectedException;
import org.apache.ignite.lang.IgniteFuture;

/**
 * One search's fan-out, confined to the request's thread: jobs complete on Ignite's threads and queue up here. Each
 * partition is asked of one owner, this node first when it owns the partition (searched in the request's thread, with
 * no serialization), then the other owners in an order drawn once per search, so the partitions this node lacks go to
 * as few other nodes as possible and the load spreads over searches. A job's answer is taken whole or not at all (its
 * hits are the node's top-k over all its partitions), and only when none of its partitions has been answered yet, so
 * the merge counts each partition exactly once; the node of an answer that is not taken is asked again for its
 * partitions still unanswered. Every partition without an answer always has a job in flight or a retry due, so the
 * loop ends with a full answer, a fault, or the timeout; whatever is still in flight is then cancelled.
 */
final class Fanout {

    private static final System.Logger LOG = System.getLogger(Fanout.class.getName());
    private static final long MAX_BACKOFF_MS = 200;

    /** A job in flight; its outcome arrives through {@link JobSender}. */
    private final class Job implements JobSender.Reply {
        final ClusterNode node;
        final int[] partitions;
        final long sentAt = System.nanoTime();
        /** Whether this job may no longer be hedged: it was, or it is a hedge itself. */
        boolean hedged;
        private volatile IgniteFuture<NodeSearchResult> reply;
        private volatile NodeSearchResult localResult;
        private volatile IgniteException failure;
        private volatile boolean abandoned;

        Job(ClusterNode node, int[] partitions, boolean hedge) {
            this.node = node;
            this.partitions = partitions;
            this.hedged = hedge;
        }

        @Override
        public void sent(IgniteFuture<NodeSearchResult> reply) {
            this.reply = reply;
        }

        @Override
        public void completed() {
            Fanout.this.completed.add(this);
        }

        @Override
        public void failed(IgniteException failure) {
            this.failure = failure;
            Fanout.this.completed.add(this);
        }

        @Override
        public boolean abandoned() {
            return abandoned;
        }

        /** Gives the job up: cancelled on its node now, or by its sender once sent. */
        void abandon() {
            abandoned = true;
            IgniteFuture<NodeSearchResult> sentReply = reply;
            if (sentReply != null && !sentReply.isDone()) {
                router.health().cancelLater(sentReply);
            }
        }

        NodeSearchResult result() {
            if (failure != null) {
                throw failure;
            }
            return localResult != null ? localResult : reply.get();
        }
    }

    private final SearchRouter router;
    private final Ignite ignite;
    private final CollectionSpec spec;
    private final SearchQuery[] queries;
    /** The trace of the search (W3C headers), carried by every job: each node's work is a span of it. */
    private final Map<String, String> trace = Tracing.carrier();
    private final long deadline;
    private final long hedgeNs;
    private final BitSet answered = new BitSet();
    private final BitSet hedgedPartitions = new BitSet();
    /** Per partition: how many owners were tried (the next try starts with the next owner). */
    private final int[] attempts;
    /** Per partition: when a partition returned as moved may be asked for again. */
    private final long[] retryAt;
    /** Per partition: the owners whose job failed with a fault (not a topology change). */
    private final Map<Integer, Set<UUID>> faulty = new LinkedHashMap<>();
    private final List<Job> inFlight = new ArrayList<>();
    private final BlockingQueue<Job> completed = new LinkedBlockingQueue<>();
    private final List<List<SearchHit>> found = new ArrayList<>();
    /** Orders the other owners of a partition, the same way for every partition of this search. */
    private final long ownerSeed = ThreadLocalRandom.current().nextLong();
    private int retries;

    Fanout(SearchRouter router, CollectionSpec spec, SearchQuery[] queries) {
        this.router = router;
        this.ignite = router.ignite();
        this.spec = spec;
        this.queries = queries;
        long now = System.nanoTime();
        this.deadline = now + TimeUnit.MILLISECONDS.toNanos(router.timeoutMs());
        this.hedgeNs = TimeUnit.MILLISECONDS.toNanos(router.hedgeDelayMs());
        this.attempts = new int[spec.partitions()];
        this.retryAt = new long[spec.partitions()];
        Arrays.fill(retryAt, now);
        for (int q = 0; q < queries.length; q++) {
            found.add(new ArrayList<>());
        }
    }

    /** Returns each query's merged top-k, once every partition answered exactly once. */
    List<List<SearchHit>> run() {
        try {
            while (answered.cardinality() < spec.partitions()) {
                dispatchUncovered();
                Job job = nextCompleted();
                if (job != null) {
                    handle(job);
                } else if (System.nanoTime() - deadline >= 0) {
                    throw new PartitionsUnavailableException(unanswered(), router.timeoutMs());
                } else {
                    hedgeSlowJobs();
                }
            }
            return merge();
        } finally {
            inFlight.forEach(Job::abandon);
        }
    }

    /** Sends every unanswered partition that has no job in flight and no retry pending to an owner. */
    private void dispatchUncovered() {
        BitSet covered = new BitSet();
        inFlight.forEach(job -> {
            for (int p : job.partitions) {
                covered.set(p);
            }
        });
        long now = System.nanoTime();
        List<Integer> due = new ArrayList<>();
        for (int p = answered.nextClearBit(0); p < spec.partitions(); p = answered.nextClearBit(p + 1)) {
            if (!covered.get(p) && now - retryAt[p] >= 0) {
                due.add(p);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        if (retries++ > 0) {
            router.retries.increment();
            router.catalog().require(spec.name()); // a collection deleted meanwhile answers 404, not a timeout
        }
        Affinity<Object> affinity = ignite.affinity(spec.cacheName());
        Map<ClusterNode, List<Integer>> plan = new LinkedHashMap<>();
        for (int p : due) {
            ClusterNode owner = pick(affinity.mapPartitionToPrimaryAndBackups(p), attempts[p], null);
            if (owner != null) {
                plan.computeIfAbsent(owner, node -> new ArrayList<>()).add(p);
            } else {
                backOff(p); // no owner in this topology: wait for one
            }
        }
        dispatch(plan, false);
    }

    /** Sends the jobs of {@code plan}; this node's share runs last, in this thread, while the others are in flight. */
    private void dispatch(Map<ClusterNode, List<Integer>> plan, boolean hedge) {
        ClusterNode self = null;
        for (Map.Entry<ClusterNode, List<Integer>> entry : plan.entrySet()) {
            if (entry.getKey().isLocal()) {
                self = entry.getKey();
            } else {
                send(entry.getKey(), entry.getValue(), hedge);
            }
        }
        if (self != null) {
            send(self, plan.get(self), hedge);
        }
    }

    /**
     * Picks the owner to ask: starting at the {@code attempt}-th in this search's order (this node, then the others
     * as {@link #rank} orders them), the first that is neither {@code excluded} nor suspected, else the first that is
     * not excluded; null when there is none.
     */
    private ClusterNode pick(Collection<ClusterNode> ownerSet, int attempt, ClusterNode excluded) {
        List<ClusterNode> owners = new ArrayList<>(ownerSet);
        owners.sort(Comparator.comparing((ClusterNode node) -> !node.isLocal()).thenComparingLong(this::rank));
        ClusterNode fallback = null;
        for (int i = 0; i < owners.size(); i++) {
            ClusterNode owner = owners.get((attempt + i) % owners.size());
            if (excluded != null && owner.id().equals(excluded.id())) {
                continue;
            }
            if (!router.health().suspected(owner.id())) {
                return owner;
            }
            fallback = fallback == null ? owner : fallback;
        }
        return fallback;
    }

    /** A node's place among the other owners in this search: a mix of its join order and the search's seed. */
    private long rank(ClusterNode node) {
        long z = node.order() + ownerSeed;
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private void send(ClusterNode node, List<Integer> partitions, boolean hedge) {
        Job job = new Job(node, partitions.stream().mapToInt(Integer::intValue).toArray(), hedge);
        inFlight.add(job);
        (hedge ? router.hedges : router.jobs).increment();
        ShardSearchJob search = new ShardSearchJob(spec.cacheName(), job.partitions, queries, trace);
        if (!node.isLocal()) {
            router.sender().send(node, search, job);
            return;
        }
        try {
            job.localResult = search.searchOn(ignite);
        } catch (RuntimeException e) {
            // The local job's boundary, as Ignite's job boundary is for a remote one: a fault of this node's
            // search sends its partitions to the other owners.
            job.failure = e instanceof IgniteException fault ? fault : new IgniteException(e);
        }
        completed.add(job);
    }

    /** Waits for the next completed job until the deadline, the next hedge or the next retry; null on a timeout. */
    private Job nextCompleted() {
        long now = System.nanoTime();
        long wake = deadline;
        for (Job job : inFlight) {
            if (hedgeNs > 0 && !job.hedged) {
                wake = Math.min(wake, job.sentAt + hedgeNs);
            }
        }
        for (int p = answered.nextClearBit(0); p < spec.partitions(); p = answered.nextClearBit(p + 1)) {
            if (retryAt[p] - now > 0) {
                wake = Math.min(wake, retryAt[p]);
            }
        }
        try {
            return completed.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IgniteInterruptedException(e);
        }
    }

    private void handle(Job job) {
        inFlight.remove(job);
        NodeSearchResult result;
        try {
            result = job.result();
        } catch (ClusterTopologyException | ComputeExecutionRejectedException e) {
            failed(job, null); // the node left, is stopping, or is overloaded: its partitions go elsewhere
            return;
        } catch (IgniteException e) {
            boolean left = ignite.cluster().node(job.node.id()) == null;
            failed(job, left ? null : e);
            return;
        }
        if (System.nanoTime() - job.sentAt < hedgeNs || hedgeNs == 0) {
            router.health().trust(job.node.id());
        }
        for (int p : result.moved()) {
            attempts[p]++;
            backOff(p);
        }
        List<Integer> unanswered = new ArrayList<>();
        for (int p : result.searched()) {
            if (!answered.get(p)) {
                unanswered.add(p);
            }
        }
        if (unanswered.size() < result.searched().length) {
            // A hedge or another job answered some of these partitions: this answer would count them twice. The
            // node just answered, so ask it again for the rest, rather than wait for the other jobs covering them
            // (one may be a hedge to a stalled node).
            if (!unanswered.isEmpty()) {
                send(job.node, unanswered, false);
            }
            return;
        }
        for (int p : result.searched()) {
            answered.set(p);
        }
        for (int q = 0; q < queries.length; q++) {
            found.get(q).addAll(List.of(result.hits(q)));
        }
    }

    /**
     * Handles a job without an answer: its partitions move on to their next owner. A fault (not a topology change)
     * is logged, and when every owner of a partition has failed with one, it fails the search.
     */
    private void failed(Job job, IgniteException fault) {
        router.health().suspect(job.node.id());
        for (int p : job.partitions) {
            attempts[p]++;
        }
        if (fault == null) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "search job on node " + job.node.consistentId() + " for partitions "
                + Arrays.toString(job.partitions) + " of " + spec.name() + " failed; asking other owners",
                fault);
        Affinity<Object> affinity = ignite.affinity(spec.cacheName());
        for (int p : job.partitions) {
            Set<UUID> failedOn = faulty.computeIfAbsent(p, partition -> new HashSet<>());
            failedOn.add(job.node.id());
            if (!answered.get(p) && affinity.mapPartitionToPrimaryAndBackups(p).stream()
                    .allMatch(owner -> failedOn.contains(owner.id()))) {
                throw fault;
            }
        }
    }

    /**
     * Sends the unanswered partitions of each job slower than the hedge delay to another owner as well. A hedge is
     * never hedged itself, and a partition is hedged at most once per search, so a slow cluster sees at most one
     * extra job per partition.
     */
    private void hedgeSlowJobs() {
        if (hedgeNs == 0) {
            return;
        }
        long now = System.nanoTime();
        Affinity<Object> affinity = ignite.affinity(spec.cacheName());
        Map<ClusterNode, List<Integer>> plan = new LinkedHashMap<>();
        for (Job job : inFlight) {
            if (job.hedged || now - job.sentAt < hedgeNs) {
                continue;
            }
            job.hedged = true;
            router.health().suspect(job.node.id());
            for (int p : job.partitions) {
                ClusterNode other = answered.get(p) || hedgedPartitions.get(p) ? null
                        : pick(affinity.mapPartitionToPrimaryAndBackups(p), attempts[p] + 1, job.node);
                if (other != null) {
                    hedgedPartitions.set(p);
                    plan.computeIfAbsent(other, node -> new ArrayList<>()).add(p);
                }
            }
        }
        dispatch(plan, true);
    }

    private void backOff(int partition) {
        long backoffMs = Math.min(MAX_BACKOFF_MS, 5L << Math.min(attempts[partition], 6));
        retryAt[partition] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    }

    private List<Integer> unanswered() {
        List<Integer> missing = new ArrayList<>();
        for (int p = answered.nextClearBit(0); p < spec.partitions(); p = answered.nextClearBit(p + 1)) {
            missing.add(p);
        }
        return missing;
    }

    private List<List<SearchHit>> merge() {
        Metric metric = Metric.parse(spec.metric());
        Comparator<SearchHit> best = Comparator.comparingDouble(hit -> metric.distance(hit.score()));
        List<List<SearchHit>> merged = new ArrayList<>(queries.length);
        for (int q = 0; q < queries.length; q++) {
            List<SearchHit> hits = found.get(q);
            hits.sort(best);
            merged.add(List.copyOf(hits.subList(0, Math.min(queries[q].k(), hits.size()))));
        }
        return merged;
    }
}
