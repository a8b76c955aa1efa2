package io.gridvec.shard.search;

import java.io.Serializable;

/**
 * What one node answered for a search job: the partitions it searched, the partitions it could not (no longer an
 * owner, or its shard is not ready) for the router to retry elsewhere, and per query its best hits over the searched
 * partitions, best first. Immutable.
 */
public final class NodeSearchResult implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int[] searched;
    private final int[] moved;
    private final SearchHit[][] hits;

    NodeSearchResult(int[] searched, int[] moved, SearchHit[][] hits) {
        this.searched = searched;
        this.moved = moved;
        this.hits = hits;
    }

    /** Returns the partitions this node answered. */
    public int[] searched() {
        return searched;
    }

    /** Returns the partitions to retry on another owner. */
    public int[] moved() {
        return moved;
    }

    /** Returns the hits of query {@code i}, best first. */
    public SearchHit[] hits(int i) {
        return hits[i];
    }
}
