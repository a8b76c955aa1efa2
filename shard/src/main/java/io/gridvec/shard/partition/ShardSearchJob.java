package io.gridvec.shard.partition;

import java.util.Arrays;
import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * The compute job a router sends to one owner node: search these partitions of a collection for these queries and
 * answer the local top-k of each. The node checks that it still owns each partition with a ready shard and returns
 * the others as moved. Runs on the node's public pool.
 */
public final class ShardSearchJob implements IgniteCallable<NodeSearchResult> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final String cacheName;
    private final int[] partitions;
    private final SearchQuery[] queries;

    /** Creates a job for {@code partitions} of the collection cache {@code cacheName}. */
    public ShardSearchJob(String cacheName, int[] partitions, SearchQuery[] queries) {
        this.cacheName = cacheName;
        this.partitions = partitions;
        this.queries = queries;
    }

    @Override
    public NodeSearchResult call() {
        ShardRegistry registry = ShardRegistry.of(ignite);
        // A node still starting has no shards yet: every partition goes back to the router as moved.
        return registry != null ? registry.search(cacheName, partitions, queries)
                : new NodeSearchResult(new int[0], partitions, emptyHits());
    }

    private SearchHit[][] emptyHits() {
        SearchHit[][] hits = new SearchHit[queries.length][];
        Arrays.fill(hits, new SearchHit[0]);
        return hits;
    }
}
