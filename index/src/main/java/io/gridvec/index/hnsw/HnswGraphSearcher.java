package io.gridvec.index.hnsw;

import io.gridvec.index.hnsw.HnswGraph.Page;

/**
 * Searches an {@link HnswGraph}: greedy descent through the upper levels, then a best-first beam search of width
 * ef (efSearch at query time, efConstruction at insert time) on one level. Stateless; all state lives in the
 * caller's {@link SearchScratch}.
 */
final class HnswGraphSearcher {

    /** Returned by {@link #searchLayer} when the visit limit stopped the search. */
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
        int visits = searchLayer(graph, scratch, query, 0, node, distance, ef, 0, true, true, filter, visitLimit);
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
     * Beam search of width {@code ef} on one level from one entry node, which the caller has not marked visited.
     * With {@code liveOnly}, tombstones and nodes the filter rejects still route but are not collected. With
     * {@code approximate}, neighbours are scored by their int8 records (the query must start at offset 0) and the
     * collected distances are approximate.
     */
    static int searchLayer(HnswGraph graph, SearchScratch scratch, float[] query, int queryOffset, int entryNode,
            float entryDistance, int ef, int level, boolean approximate, boolean liveOnly, OrdinalFilter filter,
            int visitLimit) {
        LongHeap candidates = scratch.candidates;
        LongHeap results = scratch.results;
        candidates.clear();
        results.clear();
        int pageMask = graph.pageMask;
        int[] buffer = scratch.neighbors(graph.maxConn0 + 2);

        scratch.visit(entryNode);
        Page entryPage = graph.page(entryNode);
        float querySquaredNorm = approximate ? HnswGraph.KERNELS.dotProduct(query, 0, query, 0, graph.dimension) : 0f;
        if (approximate) {
            // Every distance in the heaps must be on the same scale.
            entryDistance = graph.approximateDistance(query, querySquaredNorm, entryPage, entryNode & pageMask);
        }
        candidates.push(Scored.of(entryDistance, entryNode));
        if (!liveOnly || admits(entryPage, entryNode & pageMask, filter)) {
            results.push(Scored.reversed(Scored.of(entryDistance, entryNode)));
        }
        float worst = results.size() >= ef ? entryDistance : Float.POSITIVE_INFINITY;
        int visits = 1;
        Page[] pages = graph.pages();
        int pageShift = graph.pageShift;

        float[] distances = scratch.distances(graph.maxConn0);
        while (candidates.size() > 0) {
            long closest = candidates.peek();
            if (Scored.distance(closest) > worst) {
                break;
            }
            candidates.pop();
            int current = Scored.node(closest);
            int currentIndex = current & pageMask;
            int p = current >>> pageShift;
            if (p >= pages.length) {
                pages = graph.pages();
            }
            Page currentPage = pages[p];
            int n = HnswGraph.readLinks(graph.linkArray(currentPage, currentIndex, level),
                    graph.linkBase(currentIndex, level), buffer);
            // Gather the unvisited neighbours first, then score them in a branch-free loop: the CPU can then keep
            // several vectors' cache misses in flight instead of stalling on each behind a mispredicted branch.
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
            scratch.sink ^= approximate ? graph.touchCodes(pages, buffer, fresh) : graph.touch(pages, buffer, fresh);
            if (candidates.size() > 0) {
                // The best remaining candidate is usually the next one expanded: start loading its neighbour list.
                int next = Scored.node(candidates.peek());
                int nextPage = next >>> pageShift;
                if (nextPage < pages.length) {
                    int[] nextLinks = graph.linkArray(pages[nextPage], next & pageMask, level);
                    scratch.sink ^= nextLinks[graph.linkBase(next & pageMask, level)];
                }
            }
            for (int i = 0; i < fresh; i++) {
                int neighbor = buffer[i];
                Page page = pages[neighbor >>> pageShift];
                distances[i] = approximate
                        ? graph.approximateDistance(query, querySquaredNorm, page, neighbor & pageMask)
                        : graph.distance(query, queryOffset, page, neighbor & pageMask);
            }
            for (int i = 0; i < fresh; i++) {
                float d = distances[i];
                if (d < worst) {
                    int neighbor = buffer[i];
                    candidates.push(Scored.of(d, neighbor));
                    if (!liveOnly || admits(pages[neighbor >>> pageShift], neighbor & pageMask, filter)) {
                        long entry = Scored.reversed(Scored.of(d, neighbor));
                        if (results.size() < ef) {
                            results.push(entry);
                            if (results.size() == ef) {
                                worst = Scored.distance(Scored.reversed(results.peek()));
                            }
                        } else {
                            results.replaceTop(entry);
                            worst = Scored.distance(Scored.reversed(results.peek()));
                        }
                    }
                }
            }
        }
        return visits;
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
                if (results.size() < k) {
                    results.push(Scored.reversed(Scored.of(d, node)));
                    if (results.size() == k) {
                        worst = Scored.distance(Scored.reversed(results.peek()));
                    }
                } else if (d < worst) {
                    results.replaceTop(Scored.reversed(Scored.of(d, node)));
                    worst = Scored.distance(Scored.reversed(results.peek()));
                }
            }
            ordinal = filter == null ? ordinal + 1 : filter.nextAccepted(ordinal + 1, ordinals);
        }
        return visits;
    }
}
