package io.gridvec.index.vector;

import java.util.Locale;

/**
 * The similarity a collection is searched by. Internally every metric is a distance (lower is closer); the
 * user-facing score is {@link #score(float)}: cosine similarity, dot product, or squared Euclidean distance.
 */
public enum Metric {
    /** Cosine similarity; vectors are normalized at insert and query time, then compared by dot product. */
    COSINE,
    /** Inner product; larger is closer. */
    DOT,
    /** Squared Euclidean distance; smaller is closer. */
    L2;

    /**
     * Parses {@code cosine}, {@code dot} or {@code l2}, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Metric parse(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "cosine" -> COSINE;
            case "dot" -> DOT;
            case "l2" -> L2;
            default -> throw new IllegalArgumentException("metric must be one of cosine, dot, l2, was '" + name + "'");
        };
    }

    /** Returns the lower-case name used in APIs and reports. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Converts an internal distance to the score users see. */
    public float score(float distance) {
        return switch (this) {
            case COSINE -> 1f - distance;
            case DOT -> -distance;
            case L2 -> distance;
        };
    }

    /** Converts a user-facing score back to the internal distance (lower is closer); the inverse of {@link #score}. */
    public float distance(float score) {
        return switch (this) {
            case COSINE -> 1f - score;
            case DOT -> -score;
            case L2 -> score;
        };
    }

    /** Returns the score of {@code vector} for {@code query}, as {@link #score} reports it, with {@code kernels}. */
    public float score(VectorKernels kernels, float[] query, float[] vector) {
        return switch (this) {
            case COSINE -> kernels.cosine(query, vector);
            case DOT -> kernels.dotProduct(query, vector);
            case L2 -> kernels.squareDistance(query, vector);
        };
    }
}
