package io.gridvec.router.search;

import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.catalog.WriteGenerations;
import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;

/**
 * Answers searches over a whole collection: takes the current affinity assignment, asks each partition of one owner
 * (this node for the partitions it owns, searched in the request's thread), one search job per node with its
 * partition list, and merges the per-node top-k into the global top-k, taking exactly one answer per
 * partition. Partitions a node returns as moved, or whose job failed, are retried on their other owners within the
 * search timeout. A node that has not answered within the hedge delay has its partitions sent to their other owners
 * as well, and the first answer per partition wins; such a node, and one whose job failed, is then asked last until
 * it answers a probe ({@link NodeHealth}), so searches stop waiting for it. Answers are kept in this node's
 * {@link ResultCache} and served from it while no write reached their collection. Thread-safe; {@link #close()} stops
 * the probes.
 */
public final class SearchRouter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SearchRouter.class.getName());

    private final Ignite ignite;
    private final CollectionCatalog catalog;
    private final long timeoutMs;
    private final long hedgeDelayMs;
    private final NodeHealth health;
    private final JobSender sender;
    private final WriteGenerations generations;
    private final ResultCache results;
    /** Since the node started: searches that fanned out, jobs sent (hedges apart), hedges, retry rounds. */
    final LongAdder fanouts = new LongAdder();
    final LongAdder jobs = new LongAdder();
    final LongAdder hedges = new LongAdder();
    final LongAdder retries = new LongAdder();

    /** How this node's searches fanned out since it started: each a count of events. */
    public record FanoutStats(long fanouts, long jobs, long hedges, long retries) {}

    /**
     * Routes searches over the cluster of {@code ignite}.
     *
     * @param timeoutMs how long a search may take to find an answer for every partition
     * @param hedgeDelayMs how long to wait for a node before asking the other owners of its partitions too; 0 never
     * @param resultCacheBytes the most heap the cache of answers may take (estimated); 0 turns it off
     */
    public SearchRouter(Ignite ignite, CollectionCatalog catalog, long timeoutMs, long hedgeDelayMs,
            long resultCacheBytes) {
        this.ignite = ignite;
        this.catalog = catalog;
        this.timeoutMs = timeoutMs;
        this.hedgeDelayMs = hedgeDelayMs;
        this.health = new NodeHealth(ignite);
        this.sender = new JobSender(ignite, health);
        this.generations = new WriteGenerations(ignite);
        this.results = new ResultCache(resultCacheBytes);
    }

    /**
     * The answer to a batch of queries: per query its hits, best first, and whether they came from the cache; and how
     * many partitions were searched.
     */
    public record Answer(List<List<SearchHit>> hits, List<Boolean> cached, int searched, int total) {}

    /**
     * Searches every partition of the collection for every query that the result cache cannot answer; a query whose
     * {@code useCache} is false, or of a collection with a time to live, is neither answered from the cache nor kept
     * in it.
     *
     * @throws PartitionsUnavailableException when some partition had no owner with a ready shard before the timeout
     * @throws io.gridvec.shard.catalog.CollectionNotFoundException when the collection is deleted meanwhile
     * @throws org.apache.ignite.IgniteException when every owner of a partition failed the search with a fault
     */
    public Answer search(CollectionSpec spec, SearchQuery[] queries, boolean[] useCache) {
        int partitions = spec.partitions();
        // Records that expire leave without a write that would make a cached answer stale: such a collection's
        // answers are never cached.
        boolean caching = results.enabled() && spec.ttlSeconds() == 0;
        // Read before the search: an answer computed from now on may miss a write that raises the generation later,
        // so it is kept under this value, which that write makes stale.
        long generation = caching ? generations.current(spec.name()) : 0;
        List<List<SearchHit>> hits = new ArrayList<>(queries.length);
        List<Boolean> cached = new ArrayList<>(queries.length);
        List<Integer> missed = new ArrayList<>();
        for (int q = 0; q < queries.length; q++) {
            List<SearchHit> held = caching && useCache[q]
                    ? results.get(spec.name(), generation, queries[q]) : null;
            hits.add(held);
            cached.add(held != null);
            if (held == null) {
                missed.add(q);
            }
        }
        if (!missed.isEmpty()) {
            SearchQuery[] searched = missed.stream().map(q -> queries[q]).toArray(SearchQuery[]::new);
            fanouts.increment();
            List<List<SearchHit>> found = new Fanout(this, spec, searched).run();
            for (int i = 0; i < searched.length; i++) {
                int q = missed.get(i);
                hits.set(q, found.get(i));
                if (caching && useCache[q]) {
                    results.put(spec.name(), generation, searched[i], spec.dimension(), found.get(i));
                }
            }
        }
        return new Answer(hits, cached, partitions, partitions);
    }

    /** Returns how this node's searches fanned out. */
    public FanoutStats fanoutStats() {
        return new FanoutStats(fanouts.sum(), jobs.sum(), hedges.sum(), retries.sum());
    }

    /** Returns what this node's result cache holds and how it served. */
    public ResultCache.Stats resultCacheStats() {
        return results.stats();
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
