package io.gridvec.index.vector;

/** Scalar loops over the last elements of a slice (and over whole short slices), shared by both kernel classes. */
final class Remainders {

    private Remainders() {}

    static float dot(float[] a, int aOffset, float[] b, int bOffset, int from, int to, float sum) {
        for (int i = from; i < to; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    static float square(float[] a, int aOffset, float[] b, int bOffset, int from, int to, float sum) {
        for (int i = from; i < to; i++) {
            float d = a[aOffset + i] - b[bOffset + i];
            sum += d * d;
        }
        return sum;
    }

    static float dotInt8(float[] q, int qOffset, byte[] codes, int codesOffset, int from, int to, float sum) {
        for (int i = from; i < to; i++) {
            sum += q[qOffset + i] * codes[codesOffset + i];
        }
        return sum;
    }
}
