package io.gridvec.index.hnsw;

import io.gridvec.index.hnsw.HnswGraph.Page;
import java.util.Arrays;

/**
 * Links new nodes into an {@link HnswGraph} (Malkov and Yashunin, Algorithms 1 and 4): descend greedily to the
 * node's level, then on each level below run a beam search of width efConstruction, choose diverse neighbours with
 * the paper's heuristic (up to M, or 2M on level 0, as Lucene does: measured slightly more recall per visited node
 * than M on level 0), and add the reverse links, pruning a full list with the same heuristic.
 *
 * <p>Thread-safe: inserts run concurrently with each other and with searches. Each neighbour list is changed under
 * its own seqlock; the entry point changes under one lock, taken only by the rare inserts that raise the top level.
 */
final class HnswGraphBuilder {

    private final HnswGraph graph;
    private final int efConstruction;
    private final Object entryLock = new Object();

    HnswGraphBuilder(HnswGraph graph, int efConstruction) {
        this.graph = graph;
        this.efConstruction = efConstruction;
    }

    /** Links {@code node}, already written by {@link HnswGraph#addNode}, into the graph. */
    void link(int node) {
        int level = graph.level(node);
        long entry = graph.entry();
        if (entry < 0 || level > (int) (entry >>> 32)) {
            synchronized (entryLock) {
                entry = graph.entry();
                if (entry < 0) {
                    graph.entry(HnswGraph.entryOf(node, level));
                    return;
                }
                if (level > (int) (entry >>> 32)) {
                    linkFrom(node, level, entry);
                    graph.entry(HnswGraph.entryOf(node, level));
                    return;
                }
            }
        }
        linkFrom(node, level, entry);
    }

    private void linkFrom(int node, int level, long entry) {
        SearchScratch scratch = SearchScratch.acquire();
        try {
            linkFrom(scratch, node, level, entry);
        } finally {
            scratch.release();
        }
    }

    private void linkFrom(SearchScratch scratch, int node, int level, long entry) {
        scratch.ensureInsertBuffers(Math.max(efConstruction, graph.maxConn0) + 2);
        Page nodePage = graph.page(node);
        int nodeIndex = node & graph.pageMask;
        float[] vector = nodePage.vectors;
        int offset = nodeIndex * graph.dimension;

        int current = (int) entry;
        int entryLevel = (int) (entry >>> 32);
        float distance = graph.distance(vector, offset, graph.page(current), current & graph.pageMask);
        for (int l = entryLevel; l > level; l--) {
            long best = HnswGraphSearcher.greedy(graph, scratch, vector, offset, current, distance, l);
            current = Scored.node(best);
            distance = Scored.distance(best);
        }
        for (int l = Math.min(level, entryLevel); l >= 0; l--) {
            scratch.startVisit(graph.nodeCount());
            searchLayer(scratch, vector, offset, current, distance, l);
            int found = drainAscending(scratch.results, scratch.sorted);
            int chosen = selectNeighbors(node, scratch.sorted, found, graph.maxConn(l), scratch.selected);

            int[] links = graph.linkArray(nodePage, nodeIndex, l);
            int base = graph.linkBase(nodeIndex, l);
            HnswGraph.lock(links, base);
            HnswGraph.writeLinks(links, base, scratch.selected, chosen);
            HnswGraph.unlock(links, base);
            if (found > 0) {
                current = Scored.node(scratch.sorted[0]);
                distance = Scored.distance(scratch.sorted[0]);
            }
        }
        // Only now does any node link here: every level's list of this node is complete before another insert can
        // reach it. Linked back level by level instead, a concurrent insert could reach this node through a level
        // above while its lists below were still empty, find no other candidate there, and end up linked to this
        // node alone; when this node's own list (written after) or pruning dropped that link, the other node was
        // unreachable by any search.
        int[] own = scratch.neighbors(graph.maxConn0 + 2);
        for (int l = Math.min(level, entryLevel); l >= 0; l--) {
            int chosen = HnswGraph.readLinks(graph.linkArray(nodePage, nodeIndex, l), graph.linkBase(nodeIndex, l),
                    own);
            for (int i = 0; i < chosen; i++) {
                addReverseLink(scratch, own[i], node, l);
            }
        }
    }

    /**
     * Beam search of width efConstruction on one level by float distances, collecting every node it reaches
     * (tombstones included: they stay linked) into {@code scratch.results}.
     */
    private void searchLayer(SearchScratch scratch, float[] vector, int offset, int entryNode, float entryDistance,
            int level) {
        LongHeap candidates = scratch.candidates;
        LongHeap results = scratch.results;
        candidates.clear();
        results.clear();
        int[] buffer = scratch.neighbors(graph.maxConn0 + 2);
        float[] distances = scratch.distances(graph.maxConn0);
        scratch.visit(entryNode);
        candidates.push(Scored.of(entryDistance, entryNode));
        float worst = HnswGraphSearcher.collect(results, Scored.of(entryDistance, entryNode), efConstruction,
                Float.POSITIVE_INFINITY);
        while (candidates.size() > 0) {
            long closest = candidates.pop();
            if (Scored.distance(closest) > worst) {
                break;
            }
            int current = Scored.node(closest);
            int index = current & graph.pageMask;
            int n = HnswGraph.readLinks(graph.linkArray(graph.page(current), index, level),
                    graph.linkBase(index, level), buffer);
            int fresh = 0;
            for (int i = 0; i < n; i++) {
                if (scratch.visit(buffer[i])) {
                    buffer[fresh++] = buffer[i];
                }
            }
            Page[] pages = graph.pages();
            scratch.sink ^= graph.touch(pages, buffer, fresh);
            for (int i = 0; i < fresh; i++) {
                int neighbor = buffer[i];
                distances[i] = graph.distance(vector, offset, pages[neighbor >>> graph.pageShift],
                        neighbor & graph.pageMask);
            }
            for (int i = 0; i < fresh; i++) {
                if (distances[i] < worst) {
                    long scored = Scored.of(distances[i], buffer[i]);
                    candidates.push(scored);
                    worst = HnswGraphSearcher.collect(results, scored, efConstruction, worst);
                }
            }
        }
    }

    /** Adds {@code node} to {@code neighbor}'s list on {@code level}, pruning by the heuristic when it is full. */
    private void addReverseLink(SearchScratch scratch, int neighbor, int node, int level) {
        Page page = graph.page(neighbor);
        int index = neighbor & graph.pageMask;
        int[] links = graph.linkArray(page, index, level);
        int base = graph.linkBase(index, level);
        int capacity = graph.maxConn(level);
        HnswGraph.lock(links, base);
        try {
            int n = links[base + 1];
            if (n < capacity) {
                links[base + 2 + n] = node;
                links[base + 1] = n + 1;
                return;
            }
            long[] sorted = scratch.pruneSorted;
            for (int i = 0; i < n; i++) {
                int other = links[base + 2 + i];
                sorted[i] = Scored.of(graph.distanceBetween(neighbor, other), other);
            }
            sorted[n] = Scored.of(graph.distanceBetween(neighbor, node), node);
            Arrays.sort(sorted, 0, n + 1);
            int kept = selectNeighbors(neighbor, sorted, n + 1, capacity, scratch.pruneSelected);
            HnswGraph.writeLinks(links, base, scratch.pruneSelected, kept);
        } finally {
            HnswGraph.unlock(links, base);
        }
    }

    /**
     * The paper's heuristic (Algorithm 4 without extending candidates): walk candidates from nearest, keep one unless
     * it is closer to an already kept neighbour than to {@code base}. Fewer than {@code max} candidates are all kept.
     */
    private int selectNeighbors(int base, long[] sorted, int count, int max, int[] out) {
        int kept = 0;
        if (count <= max) {
            for (int i = 0; i < count; i++) {
                int c = Scored.node(sorted[i]);
                if (c != base) {
                    out[kept++] = c;
                }
            }
            return kept;
        }
        for (int i = 0; i < count && kept < max; i++) {
            int candidate = Scored.node(sorted[i]);
            if (candidate == base) {
                continue;
            }
            float toBase = Scored.distance(sorted[i]);
            boolean diverse = true;
            for (int j = 0; j < kept; j++) {
                if (graph.distanceBetween(candidate, out[j]) < toBase) {
                    diverse = false;
                    break;
                }
            }
            if (diverse) {
                out[kept++] = candidate;
            }
        }
        return kept;
    }

    /** Empties the reversed (max-)heap into {@code out}, nearest first; returns the count. */
    static int drainAscending(LongHeap reversedHeap, long[] out) {
        int n = reversedHeap.size();
        for (int i = n - 1; i >= 0; i--) {
            out[i] = Scored.reversed(reversedHeap.pop());
        }
        return n;
    }
}
