package io.gridvec.index.vector;

/**
 * What every stored or queried vector must satisfy, checked in one place for the index, the shards and the REST API:
 * the collection's dimension, finite elements, and a non-zero norm under cosine. Stateless.
 */
public final class VectorRules {

    private VectorRules() {}

    /** Returns the position of the first NaN or infinite element, or -1 when every element is finite. */
    public static int firstNonFinite(float[] vector) {
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Returns whether every element is zero (such a vector has no direction for cosine). */
    public static boolean allZero(float[] vector) {
        for (float v : vector) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns what is wrong with {@code vector} for an index of {@code dimension} under {@code metric}, naming it
     * {@code field}, or null when nothing is.
     */
    public static String problem(float[] vector, int dimension, Metric metric, String field) {
        if (vector == null) {
            return field + " must not be null";
        }
        if (vector.length != dimension) {
            return field + " must have dimension " + dimension + ", was " + vector.length;
        }
        int bad = firstNonFinite(vector);
        if (bad >= 0) {
            return field + "[" + bad + "] must be finite, was " + vector[bad];
        }
        if (metric == Metric.COSINE && allZero(vector)) {
            return field + " must not be all zeros for metric cosine";
        }
        return null;
    }
}
