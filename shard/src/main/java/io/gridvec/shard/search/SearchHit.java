package io.gridvec.shard.search;

import java.io.Serializable;

/**
 * A search hit as a node returns it: id, score (as the collection's metric reports it), and the payload JSON and
 * vector when the query asked for them (else null). Immutable.
 */
public final class SearchHit implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String id;
    private final float score;
    private final String payload;
    private final float[] vector;

    /** Creates a hit; {@code payload} and {@code vector} are null when the query did not ask for them. */
    public SearchHit(String id, float score, String payload, float[] vector) {
        this.id = id;
        this.score = score;
        this.payload = payload;
        this.vector = vector;
    }

    /** Returns the record id. */
    public String id() {
        return id;
    }

    /** Returns the score. */
    public float score() {
        return score;
    }

    /** Returns the payload JSON, or null. */
    public String payload() {
        return payload;
    }

    /** Returns the stored vector, or null. */
    public float[] vector() {
        return vector;
    }
}
