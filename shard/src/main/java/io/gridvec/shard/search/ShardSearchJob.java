package io.gridvec.shard.search;

import io.gridvec.shard.registry.ShardRegistry;
import io.gridvec.shard.trace.Tracing;
import java.util.HashMap;
import java.util.Map;
import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * The compute job a router sends to one owner node: search these partitions of a collection for these queries and
 * answer the local top-k of each. The node answers only partitions it owns with a ready shard and returns the others
 * as moved. Runs on the node's public pool.
 */
public final class ShardSearchJob implements IgniteCallable<NodeSearchResult> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final String cacheName;
    private final int[] partitions;
    private final SearchQuery[] queries;
    private final HashMap<String, String> trace;

    /**
     * Creates a job for {@code partitions} of the collection cache {@code cacheName}, in the trace whose W3C headers
     * {@code trace} holds (empty: none).
     */
    public ShardSearchJob(String cacheName, int[] partitions, SearchQuery[] queries, Map<String, String> trace) {
        this.cacheName = cacheName;
        this.partitions = partitions;
        this.queries = queries;
        this.trace = new HashMap<>(trace);
    }

    /** Returns the partitions this job asks for. */
    public int[] partitions() {
        return partitions;
    }

    @Override
    public NodeSearchResult call() {
        return searchOn(ignite);
    }

    /**
     * Runs the job on {@code node} in the calling thread, as Ignite would on the node's public pool: a router runs
     * its own node's share this way, with no serialization and no thread hop.
     */
    public NodeSearchResult searchOn(Ignite node) {
        // A node still starting has no registry yet: every partition goes back to the router as moved.
        return Tracing.inSpan("search job", Tracing.extract(trace), node.name(),
                () -> new LocalSearch(node, ShardRegistry.of(node)).search(cacheName, partitions, queries));
    }
}
