package io.gridvec.shard.lag;

import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterGroup;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.lang.IgniteBiPredicate;

/**
 * Back-pressure on writes: every server's index lag as this node knows it, and the check a write passes before it
 * touches a cache. Each node publishes its own {@link IndexLag} to the other servers (Ignite messaging) every 100 ms
 * while it changes and every second while it is not zero; a report older than 3 s counts as no lag, so a vanished
 * node blocks nothing. A write waits while an owner (primary or backup) of one of its records is at its bound, and
 * after {@code maxWaitMs} is refused with {@link IndexLagException}, so a node's tails stay near their bound: above it
 * only by the writes admitted within one publishing interval. The node whose lag reaches its bound logs one line
 * when that starts and one when its lag is back under half the bound. Thread-safe; {@link #close()} stops it.
 */
public final class LagBoard implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LagBoard.class.getName());
    private static final String TOPIC = "gridvec.indexLag";
    private static final long PUBLISH_MS = 100;
    private static final long HEARTBEAT_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long STALE_NS = TimeUnit.SECONDS.toNanos(3);
    private static final long POLL_MS = 10;
    private static final int RETRY_AFTER_S = 1;

    /** A report from another node and when it arrived. */
    private record Received(LagReport report, long at) {}

    private final IndexLag local;
    private final long maxWaitMs;
    private final Map<UUID, Received> remote = new ConcurrentHashMap<>();
    private final ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gridvec-index-lag").daemon().factory());
    private final IgniteBiPredicate<UUID, Object> listener = (from, message) -> {
        if (message instanceof LagReport report) {
            remote.put(from, new Received(report, System.nanoTime()));
        }
        return true;
    };
    private volatile Ignite ignite;
    // Publisher thread only.
    private long sentRecords = -1;
    private long sentBytes = -1;
    private long sentAt;
    private long episodeStarted = -1;

    /** Publishes {@code local} and lets writes wait up to {@code maxWaitMs} for an owner's lag to fall. */
    public LagBoard(IndexLag local, long maxWaitMs) {
        this.local = local;
        this.maxWaitMs = maxWaitMs;
    }

    /** Starts listening to and publishing reports on {@code ignite}'s cluster. */
    public void start(Ignite ignite) {
        this.ignite = ignite;
        ignite.message().localListen(TOPIC, listener);
        publisher.scheduleWithFixedDelay(this::tick, PUBLISH_MS, PUBLISH_MS, TimeUnit.MILLISECONDS);
    }

    /** Returns this node's lag. */
    public IndexLag local() {
        return local;
    }

    /**
     * Returns once no owner of the records {@code ids} of cache {@code cacheName} is at its index-lag bound, waiting
     * up to the configured time.
     *
     * @throws IndexLagException when an owner is still at its bound after the wait
     */
    public void admit(String cacheName, Collection<String> ids) {
        Ignite node = ignite;
        if (node == null || node.cache(cacheName) == null) {
            return; // the write itself reports a missing collection
        }
        Set<ClusterNode> owners = owners(node.affinity(cacheName), ids);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        for (LagReport blocking = blocking(owners); blocking != null; blocking = blocking(owners)) {
            if (System.nanoTime() >= deadline) {
                throw new IndexLagException(blocking.describe() + "; the write waited " + maxWaitMs
                        + " ms and was not applied; retry after " + RETRY_AFTER_S + " s", RETRY_AFTER_S);
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IgniteInterruptedException(e);
            }
        }
    }

    private static Set<ClusterNode> owners(Affinity<Object> affinity, Collection<String> ids) {
        Set<ClusterNode> owners = new HashSet<>();
        BitSet seen = new BitSet();
        for (String id : ids) {
            int partition = affinity.partition(id);
            if (!seen.get(partition)) {
                seen.set(partition);
                owners.addAll(affinity.mapPartitionToPrimaryAndBackups(partition));
            }
        }
        return owners;
    }

    /** Returns the report of an owner at its bound, or null when none is. */
    private LagReport blocking(Set<ClusterNode> owners) {
        long now = System.nanoTime();
        for (ClusterNode owner : owners) {
            LagReport report;
            if (owner.isLocal()) {
                report = localReport();
            } else {
                Received received = remote.get(owner.id());
                report = received == null || now - received.at() > STALE_NS ? null : received.report();
            }
            if (report != null && report.atBound()) {
                return report;
            }
        }
        return null;
    }

    private LagReport localReport() {
        Ignite node = ignite;
        String name = node == null ? "?" : String.valueOf(node.cluster().localNode().consistentId());
        return new LagReport(name, local.records(), local.bytes(), local.maxRecords(), local.maxBytes());
    }

    private void tick() {
        try {
            LagReport report = localReport();
            logEpisode(report);
            long now = System.nanoTime();
            remote.values().removeIf(received -> now - received.at() > STALE_NS);
            boolean changed = report.records != sentRecords || report.bytes != sentBytes;
            if (changed || report.records > 0 && now - sentAt >= HEARTBEAT_NS) {
                ClusterGroup others = ignite.cluster().forServers().forRemotes();
                if (!others.nodes().isEmpty()) {
                    ignite.message(others).send(TOPIC, report);
                }
                sentRecords = report.records;
                sentBytes = report.bytes;
                sentAt = now;
            }
        } catch (RuntimeException e) {
            // The publisher thread's boundary: the next tick (100 ms away) publishes again; stale reports expire.
            LOG.log(System.Logger.Level.WARNING, "publishing this node's index lag failed; retrying", e);
        }
    }

    private void logEpisode(LagReport report) {
        if (episodeStarted < 0 && report.atBound()) {
            episodeStarted = System.nanoTime();
            LOG.log(System.Logger.Level.WARNING, "index lag reached its bound: " + report.describe()
                    + ". Writes to partitions this node owns wait up to " + maxWaitMs + " ms, then answer 429");
        } else if (episodeStarted >= 0 && report.records < report.maxRecords / 2 && report.bytes < report.maxBytes / 2) {
            LOG.log(System.Logger.Level.INFO, "index lag is back under half its bound (" + report.records
                    + " records); back-pressure on writes ended after "
                    + (System.nanoTime() - episodeStarted) / 1_000_000 + " ms");
            episodeStarted = -1;
        }
    }

    /** Stops publishing; reports from other nodes are no longer received. */
    @Override
    public void close() {
        publisher.shutdownNow();
        Ignite node = ignite;
        if (node != null) {
            node.message().stopLocalListen(TOPIC, listener);
        }
    }
}
