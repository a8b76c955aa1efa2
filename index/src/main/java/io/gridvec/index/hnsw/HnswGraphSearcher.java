package io.gridvec.index.hnsw;

import io.gridvec.index.hnsw.HnswGraph.Page;

/**
 * Answers queries on an {@link HnswGraph}: greedy descent through the upper levels, then a best-first beam search of
 * width ef on level 0, steered by int8 records and reranked with float vectors. Stateless; all state lives in the
 * caller's {@link SearchScratch}. Insert-time layer search lives in {@link HnswGraphBuilder}: it scores floats,
 * collects tombstones too and has no filter or budget, and one loop with those choices as runtime flags measured
 * 13% slower queries (C2 compiles the large loop once, for both uses).
 */
final class HnswGraphSearcher {

    /** Returned by {@link #search} when the visit limit stopped the search. */
    static final int LIMIT_REACHED = -1;

    private HnswGraphSearcher() {}

    /**
     * Searches the whole graph for the ef nodes nearest to {@code query} that are live and pass {@code filter},
     * leaving them in {@code scratch.results} with float distances: level 0 is traversed by int8 records and the
     * collected nodes are reranked by their float vectors.
     *
     * @return distance computations made, or {@link #LIMIT_REACHED} when they would exceed {@code visitLimit}
     */
    static int search(HnswGraph graph, SearchScratch scratch, float[] query, int ef, OrdinalFilter filter,
            int visitLimit) {
        scratch.results.clear();
        long entry = graph.entry();
        if (entry < 0) {
            return 0;
        }
        int node = (int) entry;
        int topLevel = (int) (entry >>> 32);
        float distance = graph.distance(query, 0, graph.page(node), node & graph.pageMask);
        for (int level = topLevel; level > 0; level--) {
            long best = greedy(graph, scratch, query, 0, node, distance, level);
            node = Scored.node(best);
            distance = Scored.distance(best);
        }
        scratch.startVisit(graph.nodeCount());
        int visits = searchLevel0(graph, scratch, query, node, ef, filter, visitLimit);
        if (visits != LIMIT_REACHED) {
            rerank(graph, scratch, query);
        }
        return visits;
    }

    /** Replaces the int8 distances of the collected nodes by float distances. */
    private static void rerank(HnswGraph graph, SearchScratch scratch, float[] query) {
        LongHeap results = scratch.results;
        int n = results.size();
        long[] sorted = scratch.sorted(n);
        HnswGraphBuilder.drainAscending(results, sorted);
        for (int i = 0; i < n; i++) {
            int node = Scored.node(sorted[i]);
            float d = graph.distance(query, 0, graph.page(node), node & graph.pageMask);
            results.push(Scored.reversed(Scored.of(d, node)));
        }
    }

    /** Follows strictly closer neighbours on one level until none is closer; returns the packed best. */
    static long greedy(HnswGraph graph, SearchScratch scratch, float[] query, int queryOffset, int node,
            float distance, int level) {
        int[] buffer = scratch.neighbors(graph.m + 2);
        boolean moved = true;
        while (moved) {
            moved = false;
            Page page = graph.page(node);
            int index = node & graph.pageMask;
            int n = HnswGraph.readLinks(graph.linkArray(page, index, level), graph.linkBase(index, level), buffer);
            for (int i = 0; i < n; i++) {
                int candidate = buffer[i];
                float d = graph.distance(query, queryOffset, graph.page(candidate), candidate & graph.pageMask);
                if (d < distance) {
                    distance = d;
                    node = candidate;
                    moved = true;
                }
            }
        }
        return Scored.of(distance, node);
    }

    /**
     * Beam search of width {@code ef} on level 0 from one entry node, scoring nodes by their int8 records: tombstones
     * and nodes the filter rejects route but are not collected.
     *
     * @return distance computations made, or {@link #LIMIT_REACHED} when they would exceed {@code visitLimit}
     */
    private static int searchLevel0(HnswGraph graph, SearchScratch scratch, float[] query, int entryNode, int ef,
            OrdinalFilter filter, int visitLimit) {
        LongHeap candidates = scratch.candidates;
        LongHeap results = scratch.results;
        candidates.clear();
        results.clear();
        int pageMask = graph.pageMask;
        int pageShift = graph.pageShift;
        int[] buffer = scratch.neighbors(graph.maxConn0 + 2);
        float[] distances = scratch.distances(graph.maxConn0);
        float querySquaredNorm = HnswGraph.KERNELS.dotProduct(query, 0, query, 0, graph.dimension);

        scratch.visit(entryNode);
        Page entryPage = graph.page(entryNode);
        float entryDistance = graph.approximateDistance(query, querySquaredNorm, entryPage, entryNode & pageMask);
        candidates.push(Scored.of(entryDistance, entryNode));
        if (admits(entryPage, entryNode & pageMask, filter)) {
            results.push(Scored.reversed(Scored.of(entryDistance, entryNode)));
        }
        float worst = results.size() >= ef ? entryDistance : Float.POSITIVE_INFINITY;
        int visits = 1;
        Page[] pages = graph.pages();

        while (candidates.size() > 0) {
            long closest = candidates.peek();
            if (Scored.distance(closest) > worst) {
                break;
            }
            candidates.pop();
            int current = Scored.node(closest);
            if ((current >>> pageShift) >= pages.length) {
                pages = graph.pages();
            }
            int n = HnswGraph.readLinks(pages[current >>> pageShift].links, (current & pageMask) * graph.stride0,
                    buffer);
            // Gather the unvisited neighbours first, touch their records, then score them in a branch-free loop:
            // the CPU keeps many cache misses in flight instead of stalling on each behind a mispredicted branch.
            int fresh = 0;
            for (int i = 0; i < n; i++) {
                int neighbor = buffer[i];
                if (scratch.visit(neighbor)) {
                    if ((neighbor >>> pageShift) >= pages.length) {
                        pages = graph.pages();
                    }
                    buffer[fresh++] = neighbor;
                }
            }
            visits += fresh;
            if (visits > visitLimit) {
                return LIMIT_REACHED;
            }
            scratch.sink ^= graph.touchCodes(pages, buffer, fresh);
            if (candidates.size() > 0) {
                // The best remaining candidate is usually the next one expanded: start loading its neighbour list.
                int next = Scored.node(candidates.peek());
                if ((next >>> pageShift) < pages.length) {
                    scratch.sink ^= pages[next >>> pageShift].links[(next & pageMask) * graph.stride0];
                }
            }
            for (int i = 0; i < fresh; i++) {
                int neighbor = buffer[i];
                distances[i] = graph.approximateDistance(query, querySquaredNorm, pages[neighbor >>> pageShift],
                        neighbor & pageMask);
            }
            for (int i = 0; i < fresh; i++) {
                float d = distances[i];
                if (d < worst) {
                    int neighbor = buffer[i];
                    candidates.push(Scored.of(d, neighbor));
                    if (admits(pages[neighbor >>> pageShift], neighbor & pageMask, filter)) {
                        worst = collect(results, Scored.of(d, neighbor), ef, worst);
                    }
                }
            }
        }
        return visits;
    }

    /**
     * Adds a (distance, node) to the results max-heap of at most {@code ef} entries and returns the distance a newcomer
     * must now beat: the farthest kept once the heap is full, else infinity.
     */
    static float collect(LongHeap results, long scored, int ef, float worst) {
        long entry = Scored.reversed(scored);
        if (results.size() < ef) {
            results.push(entry);
            return results.size() == ef ? Scored.distance(Scored.reversed(results.peek())) : worst;
        }
        results.replaceTop(entry);
        return Scored.distance(Scored.reversed(results.peek()));
    }

    private static boolean admits(Page page, int index, OrdinalFilter filter) {
        return HnswGraph.isLive(page, index) && (filter == null || filter.accepts(page.ordinalOfNode[index]));
    }

    /**
     * Scores every live ordinal (the ones {@code filter} accepts, when given) and leaves the k nearest in
     * {@code scratch.results}; returns the number of distances computed.
     */
    static int exact(HnswGraph graph, SearchScratch scratch, float[] query, int k, OrdinalFilter filter) {
        LongHeap results = scratch.results;
        results.clear();
        int ordinals = graph.ordinalCount();
        int pageMask = graph.pageMask;
        float worst = Float.POSITIVE_INFINITY;
        int visits = 0;
        int ordinal = filter == null ? 0 : filter.nextAccepted(0, ordinals);
        while (ordinal >= 0 && ordinal < ordinals) {
            int node = graph.nodeOfOrdinal(ordinal);
            if (node >= 0) {
                float d = graph.distance(query, 0, graph.page(node), node & pageMask);
                visits++;
                if (d < worst) {
                    worst = collect(results, Scored.of(d, node), k, worst);
                }
            }
            ordinal = filter == null ? ordinal + 1 : filter.nextAccepted(ordinal + 1, ordinals);
        }
        return visits;
    }
}
