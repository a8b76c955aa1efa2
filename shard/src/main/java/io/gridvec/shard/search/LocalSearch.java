package io.gridvec.shard.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.index.vector.Metric;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.PayloadFilter;
import io.gridvec.shard.layout.RecordValue;
import io.gridvec.shard.partition.Shard;
import io.gridvec.shard.registry.ShardRegistry;
import io.gridvec.shard.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CachePeekMode;

/**
 * A search job's work on one node: searches each requested partition whose shard is ready and that this node still
 * owns (the others go back as moved), merges the per-partition hits into the
 * node's top-k of each query, and attaches payloads and vectors from the local copy of each record. Stateless apart
 * from its node.
 */
final class LocalSearch {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Ignite node;
    private final ShardRegistry registry;

    /** Searches the shards of {@code registry} on {@code node}; a null registry (node starting) owns nothing. */
    LocalSearch(Ignite node, ShardRegistry registry) {
        this.node = node;
        this.registry = registry;
    }

    NodeSearchResult search(String cacheName, int[] partitions, SearchQuery[] queries) {
        CollectionSpec spec = registry == null ? null : registry.spec(cacheName);
        BitSet owned = new BitSet();
        if (spec != null && node.cache(cacheName) != null) {
            for (int partition : node.affinity(cacheName).allPartitions(node.cluster().localNode())) {
                owned.set(partition);
            }
        }
        List<Shard> ready = new ArrayList<>(partitions.length);
        int[] moved = new int[partitions.length];
        int movedCount = 0;
        for (int partition : partitions) {
            Shard shard = owned.get(partition) ? registry.readyShard(cacheName, partition) : null;
            if (shard != null) {
                ready.add(shard);
            } else {
                moved[movedCount++] = partition;
            }
        }
        SearchHit[][] hits = new SearchHit[queries.length][];
        if (ready.isEmpty()) {
            Arrays.fill(hits, new SearchHit[0]);
        } else {
            search(spec, cacheName, ready, queries, hits);
        }
        return new NodeSearchResult(ready.stream().mapToInt(Shard::partition).toArray(),
                Arrays.copyOf(moved, movedCount), hits);
    }

    /**
     * Searches the shards one after another in the job's thread: a partition's search is short (tens of microseconds
     * at the usual ef), shorter than handing it to another pool, and concurrent searches keep every core busy.
     */
    private void search(CollectionSpec spec, String cacheName, List<Shard> ready, SearchQuery[] queries,
            SearchHit[][] hits) {
        Metric metric = Metric.parse(spec.metric());
        Comparator<Shard.Hit> best = Comparator.comparingDouble(hit -> metric.distance(hit.score()));
        IgniteCache<String, BinaryObject> cache = node.<String, BinaryObject>cache(cacheName).withKeepBinary();
        for (int q = 0; q < queries.length; q++) {
            SearchQuery query = queries[q];
            PayloadFilter filter = filter(query.filter());
            List<Shard.Hit> merged = new ArrayList<>(query.k() * ready.size());
            // A span per shard only when the search is traced: an untraced search pays nothing for it.
            boolean traced = Span.current().isRecording();
            for (Shard shard : ready) {
                merged.addAll(!traced ? shard.search(query.vector(), query.k(), query.ef(), filter, query.exact())
                        : Tracing.inSpan("shard search " + spec.name() + "/" + shard.partition(), Context.current(),
                                node.name(),
                                () -> shard.search(query.vector(), query.k(), query.ef(), filter, query.exact())));
            }
            merged.sort(best);
            hits[q] = attach(cache, merged, query);
        }
    }

    /**
     * Returns the best {@code k} of {@code ranked} with their payloads and vectors when the query asks for them. A
     * record deleted since its shard was searched has no local copy any more: it is skipped, and the next one takes
     * its place.
     */
    static SearchHit[] attach(IgniteCache<String, BinaryObject> cache, List<Shard.Hit> ranked, SearchQuery query) {
        boolean fetch = query.includePayload() || query.includeVector();
        List<SearchHit> out = new ArrayList<>(Math.min(query.k(), ranked.size()));
        for (int i = 0; i < ranked.size() && out.size() < query.k(); i++) {
            Shard.Hit hit = ranked.get(i);
            if (!fetch) {
                out.add(new SearchHit(hit.id(), hit.score(), null, null));
                continue;
            }
            BinaryObject value = cache.localPeek(hit.id(), CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
            if (value != null && RecordValue.shapeProblem(value) == null) {
                out.add(new SearchHit(hit.id(), hit.score(), query.includePayload() ? RecordValue.payload(value) : null,
                        query.includeVector() ? RecordValue.vector(value) : null));
            }
        }
        return out.toArray(SearchHit[]::new);
    }

    private static PayloadFilter filter(String json) {
        if (json == null) {
            return null;
        }
        try {
            return PayloadFilter.parse(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a router sent a filter that is not JSON", e);
        }
    }
}
