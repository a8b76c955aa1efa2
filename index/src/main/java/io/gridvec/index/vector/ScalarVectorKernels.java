package io.gridvec.index.vector;

/** Plain-Java kernels, used when the vector module is absent or disabled; thread-safe. */
final class ScalarVectorKernels implements VectorKernels {

    static final ScalarVectorKernels INSTANCE = new ScalarVectorKernels();

    private ScalarVectorKernels() {}

    @Override
    public float dotProduct(float[] a, int aOffset, float[] b, int bOffset, int length) {
        // Four independent sums let the CPU overlap the multiply-adds (javac/C2 keep float order otherwise).
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = length & ~3; i < bound; i += 4) {
            s0 += a[aOffset + i] * b[bOffset + i];
            s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
            s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
            s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
        }
        return Remainders.dot(a, aOffset, b, bOffset, i, length, (s0 + s1) + (s2 + s3));
    }

    @Override
    public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = length & ~3; i < bound; i += 4) {
            float d0 = a[aOffset + i] - b[bOffset + i];
            float d1 = a[aOffset + i + 1] - b[bOffset + i + 1];
            float d2 = a[aOffset + i + 2] - b[bOffset + i + 2];
            float d3 = a[aOffset + i + 3] - b[bOffset + i + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        return Remainders.square(a, aOffset, b, bOffset, i, length, (s0 + s1) + (s2 + s3));
    }

    @Override
    public float dotProductInt8(float[] q, int qOffset, byte[] codes, int codesOffset, int length) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (int bound = length & ~3; i < bound; i += 4) {
            s0 += q[qOffset + i] * codes[codesOffset + i];
            s1 += q[qOffset + i + 1] * codes[codesOffset + i + 1];
            s2 += q[qOffset + i + 2] * codes[codesOffset + i + 2];
            s3 += q[qOffset + i + 3] * codes[codesOffset + i + 3];
        }
        return Remainders.dotInt8(q, qOffset, codes, codesOffset, i, length, (s0 + s1) + (s2 + s3));
    }

    @Override
    public float cosine(float[] a, int aOffset, float[] b, int bOffset, int length) {
        float dot = 0, na = 0, nb = 0;
        for (int i = 0; i < length; i++) {
            float x = a[aOffset + i];
            float y = b[bOffset + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return Cosine.of(dot, na, nb);
    }

    @Override
    public String name() {
        return "scalar";
    }
}
