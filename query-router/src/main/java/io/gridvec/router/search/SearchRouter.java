package io.gridvec.router.search;

import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import java.util.List;
import java.util.UUID;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;

/**
 * Answers searches over a whole collection: takes the current affinity assignment, asks each partition of one owner
 * (this node for the partitions it owns, searched in the request's thread), one search job per node with its
 * partition list, and merges the per-node top-k into the global top-k, taking exactly one answer per
 * partition. Partitions a node returns as moved, or whose job failed, are retried on their other owners within the
 * search timeout. A node that has not answered within the hedge delay has its partitions sent to their other owners
 * as well, and the first answer per partition wins; such a node, and one whose job failed, is then asked last until
 * it answers a probe ({@link NodeHealth}), so searches stop waiting for it. Thread-safe; {@link #close()} stops the
 * probes.
 */
public final class SearchRouter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SearchRouter.class.getName());

    private final Ignite ignite;
    private final CollectionCatalog catalog;
    private final long timeoutMs;
    private final long hedgeDelayMs;
    private final NodeHealth health;
    private final JobSender sender;

    /**
     * Routes searches over the cluster of {@code ignite}.
     *
     * @param timeoutMs how long a search may take to find an answer for every partition
     * @param hedgeDelayMs how long to wait for a node before asking the other owners of its partitions too; 0 never
     */
    public SearchRouter(Ignite ignite, CollectionCatalog catalog, long timeoutMs, long hedgeDelayMs) {
        this.ignite = ignite;
        this.catalog = catalog;
        this.timeoutMs = timeoutMs;
        this.hedgeDelayMs = hedgeDelayMs;
        this.health = new NodeHealth(ignite);
        this.sender = new JobSender(ignite, health);
    }

    /** The answer to a batch of queries: per query its hits, best first, and how many partitions were searched. */
    public record Answer(List<List<SearchHit>> hits, int searched, int total) {}

    /**
     * Searches every partition of the collection for every query.
     *
     * @throws PartitionsUnavailableException when some partition had no owner with a ready shard before the timeout
     * @throws io.gridvec.shard.catalog.CollectionNotFoundException when the collection is deleted meanwhile
     * @throws org.apache.ignite.IgniteException when every owner of a partition failed the search with a fault
     */
    public Answer search(CollectionSpec spec, SearchQuery[] queries) {
        return new Fanout(this, spec, queries).run();
    }

    /**
     * Tells every other server that this node is stopping, so their searches ask the other owners of its partitions
     * from now on. Waits at most {@code waitMs} for the sends: a stalled node must not hold up a stop.
     */
    public void announceLeaving(long waitMs) {
        UUID self = ignite.cluster().localNode().id();
        Thread send = Thread.ofPlatform().name("gridvec-leaving").daemon().start(() -> {
            try {
                ignite.message(ignite.cluster().forServers().forRemotes()).send(NodeHealth.LEAVING_TOPIC, self);
            } catch (IgniteException e) {
                // The thread's boundary: a node left meanwhile or none remains; a stop goes on either way.
                LOG.log(System.Logger.Level.DEBUG, "announcing the stop failed", e);
            }
        });
        try {
            send.join(waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns whether every other server announced that it is stopping (true when there is no other server); still
     * answers after {@link #close()}, until Ignite stops.
     */
    public boolean othersLeaving() {
        return ignite.cluster().forServers().forRemotes().nodes().stream().allMatch(node -> health.leaving(node.id()));
    }

    Ignite ignite() {
        return ignite;
    }

    CollectionCatalog catalog() {
        return catalog;
    }

    long timeoutMs() {
        return timeoutMs;
    }

    long hedgeDelayMs() {
        return hedgeDelayMs;
    }

    NodeHealth health() {
        return health;
    }

    JobSender sender() {
        return sender;
    }

    /** Stops sending jobs and probing suspected nodes. */
    @Override
    public void close() {
        try {
            sender.close();
        } finally {
            health.close();
        }
    }
}
