package io.gridvec.router.search;

import io.gridvec.shard.search.SearchQuery;
import io.gridvec.shard.search.ShardSearchJob;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.lang.IgniteBiPredicate;
import org.apache.ignite.lang.IgniteFuture;

/**
 * Which nodes searches should avoid for now. A node whose job was overtaken by a hedge, or failed, is suspected:
 * searches ask the other owners of its partitions first. A node that announced it is stopping (on topic
 * {@value #LEAVING_TOPIC}) is avoided the same way until it has left. A background thread probes each suspected node
 * with an empty search job every {@value #PROBE_MS} ms and trusts it again once it answers within
 * {@value #PROBE_TIMEOUT_MS} ms; a node that left the cluster is forgotten. Sending to a stalled node can block the
 * sender for seconds while Ignite reconnects, so probes, and cancels of jobs no search waits for, run on that thread
 * and never on a request's. Thread-safe; {@link #close()} stops the thread.
 */
final class NodeHealth implements AutoCloseable {

    /** The topic on which a stopping node announces it (the message is its node id). */
    static final String LEAVING_TOPIC = "gridvec.node.leaving";

    private static final System.Logger LOG = System.getLogger(NodeHealth.class.getName());
    private static final long PROBE_MS = 250;
    private static final long PROBE_TIMEOUT_MS = 1_000;
    /** Cancels waiting beyond this are skipped: a cancel only saves a remote node some work. */
    private static final int MAX_QUEUED_CANCELS = 1_000;

    private final Ignite ignite;
    private final Set<UUID> suspects = ConcurrentHashMap.newKeySet();
    private final Set<UUID> leaving = ConcurrentHashMap.newKeySet();
    private final IgniteBiPredicate<UUID, Object> leavingListener = (sender, message) -> {
        if (message instanceof UUID node && leaving.add(node)) {
            LOG.log(System.Logger.Level.INFO, "node " + node + " is stopping; searches ask other owners");
        }
        return true;
    };
    private final AtomicInteger queuedCancels = new AtomicInteger();
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gridvec-search-health").daemon().factory());

    NodeHealth(Ignite ignite) {
        this.ignite = ignite;
        ignite.message().localListen(LEAVING_TOPIC, leavingListener);
        background.scheduleWithFixedDelay(this::probe, PROBE_MS, PROBE_MS, TimeUnit.MILLISECONDS);
    }

    void suspect(UUID node) {
        if (suspects.add(node)) {
            LOG.log(System.Logger.Level.INFO, "node " + node + " was slow or failed a search job; searches ask "
                    + "other owners first until it answers a probe");
        }
    }

    void trust(UUID node) {
        suspects.remove(node);
    }

    boolean suspected(UUID node) {
        return suspects.contains(node) || leaving.contains(node);
    }

    /** Returns whether {@code node} announced that it is stopping. */
    boolean leaving(UUID node) {
        return leaving.contains(node);
    }

    /** Cancels a job no search waits for any more, on the background thread. */
    void cancelLater(IgniteFuture<?> job) {
        if (queuedCancels.incrementAndGet() > MAX_QUEUED_CANCELS) {
            queuedCancels.decrementAndGet();
            return;
        }
        try {
            background.execute(() -> {
                queuedCancels.decrementAndGet();
                cancelQuietly(job);
            });
        } catch (RejectedExecutionException e) {
            queuedCancels.decrementAndGet(); // closing: the node stops, and its jobs with it
        }
    }

    private void probe() {
        leaving.removeIf(id -> ignite.cluster().node(id) == null);
        for (UUID id : suspects) {
            ClusterNode node = ignite.cluster().node(id);
            if (node == null) {
                suspects.remove(id); // it left: the affinity no longer names it
                continue;
            }
            IgniteFuture<?> reply = null;
            try {
                reply = ignite.compute(ignite.cluster().forNode(node))
                        .callAsync(new ShardSearchJob("", new int[0], new SearchQuery[0], Map.of()));
                reply.get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (suspects.remove(id)) {
                    LOG.log(System.Logger.Level.INFO, "node " + id + " answers search jobs again");
                }
            } catch (IgniteException e) {
                // The probe thread's boundary: still slow, failed or leaving; the next probe asks again.
                if (reply != null) {
                    cancelQuietly(reply);
                }
            }
        }
    }

    private static void cancelQuietly(IgniteFuture<?> job) {
        try {
            job.cancel();
        } catch (IgniteException e) {
            LOG.log(System.Logger.Level.DEBUG, "cancelling a search job failed", e);
        }
    }

    @Override
    public void close() {
        // The leaving listener stays until Ignite stops: a node that is stopping still learns which other nodes stop
        // too (SearchRouter.othersLeaving), and Ignite drops its listeners when it stops.
        background.shutdownNow();
    }
}
