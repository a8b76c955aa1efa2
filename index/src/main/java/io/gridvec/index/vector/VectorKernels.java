package io.gridvec.index.vector;

/**
 * Distance kernels over {@code float[]} slices: the only place Gridvec does vector arithmetic.
 *
 * <p>Two implementations exist, {@link ScalarVectorKernels} (always present) and a Panama one on
 * {@code jdk.incubator.vector}; {@link Vectorization#kernels()} picks one once per JVM. Implementations are stateless
 * and thread-safe. Callers validate lengths and offsets; kernels do not.
 */
public interface VectorKernels {

    /** Returns the dot product of {@code a[aOffset, aOffset+length)} and {@code b[bOffset, bOffset+length)}. */
    float dotProduct(float[] a, int aOffset, float[] b, int bOffset, int length);

    /** Returns the squared Euclidean distance of the two slices. */
    float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length);

    /** Returns the cosine similarity of the two slices, or 0 when either has zero norm. */
    float cosine(float[] a, int aOffset, float[] b, int bOffset, int length);

    /**
     * Returns the dot product of the float slice {@code q[qOffset, qOffset+length)} with the int8 codes
     * {@code codes[codesOffset, codesOffset+length)} read as signed integers.
     */
    float dotProductInt8(float[] q, int qOffset, byte[] codes, int codesOffset, int length);

    /** Returns a short name for logs and benchmark output ({@code scalar} or {@code panama}). */
    String name();

    /** Returns the dot product of two whole arrays of equal length. */
    default float dotProduct(float[] a, float[] b) {
        return dotProduct(a, 0, b, 0, a.length);
    }

    /** Returns the squared Euclidean distance of two whole arrays of equal length. */
    default float squareDistance(float[] a, float[] b) {
        return squareDistance(a, 0, b, 0, a.length);
    }

    /** Returns the cosine similarity of two whole arrays of equal length. */
    default float cosine(float[] a, float[] b) {
        return cosine(a, 0, b, 0, a.length);
    }
}
