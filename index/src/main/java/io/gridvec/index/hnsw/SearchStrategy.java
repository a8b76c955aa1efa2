package io.gridvec.index.hnsw;

/** How a search was answered. */
public enum SearchStrategy {
    /** Graph search without a filter. */
    HNSW,
    /** Graph search collecting only the records the filter admits. */
    HNSW_FILTERED,
    /** Exact scan, requested by the caller. */
    EXACT,
    /**
     * Exact scan of the admitted records, chosen because the filter admits so few that scanning them cost less than
     * the graph search (the graph search was stopped once it had computed as many distances as there are admitted
     * records, or never started when they were at most k).
     */
    EXACT_FILTERED
}
