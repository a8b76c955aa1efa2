package io.gridvec.index.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD kernels on {@code jdk.incubator.vector}; thread-safe. Loaded only by class name from {@link Vectorization}, so
 * the scalar path never links the incubator module.
 *
 * <p>The species is a {@code static final} constant used inside each kernel: passed as a parameter, C2 does not
 * intrinsify it and a kernel runs 10-60x slower. Bodies run independent accumulators to the unrolled loop bound,
 * then one more vector, then a scalar tail, and reduce lanes once. Slices shorter than two vectors stay scalar.
 */
final class PanamaVectorKernels implements VectorKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Bytes with one lane per float lane (128-bit for 512-bit floats); null where no such shape exists. */
    private static final VectorSpecies<Byte> BYTE_SPECIES = byteSpecies();
    /** FMA is a single instruction only where the VM says so; emulated FMA is far slower than mul+add. */
    static final boolean FMA = Vectorization.vmFlag("UseFMA");

    static final PanamaVectorKernels INSTANCE = new PanamaVectorKernels();

    private PanamaVectorKernels() {}

    static int lanes() {
        return LANES;
    }

    // dotProduct and squareDistance stay under C2's inlining limit (FreqInlineSize, 325 bytecodes) so the graph
    // search inlines them; a call per distance measured 12% slower end to end. Two accumulators keep the FMA pipes
    // busy for data that is in L1 (the search loads vectors just before scoring them); the rarer remainders live in
    // separate methods.

    @Override
    public float dotProduct(float[] a, int aOffset, float[] b, int bOffset, int length) {
        if (length < 2 * LANES) {
            return Remainders.dot(a, aOffset, b, bOffset, 0, length, 0f);
        }
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = length - length % (2 * LANES); i < bound; i += 2 * LANES) {
            acc0 = mulAdd(FloatVector.fromArray(SPECIES, a, aOffset + i),
                    FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
            acc1 = mulAdd(FloatVector.fromArray(SPECIES, a, aOffset + i + LANES),
                    FloatVector.fromArray(SPECIES, b, bOffset + i + LANES), acc1);
        }
        if (i + LANES <= length) {
            acc0 = mulAdd(FloatVector.fromArray(SPECIES, a, aOffset + i),
                    FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
            i += LANES;
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        return i == length ? sum : Remainders.dot(a, aOffset, b, bOffset, i, length, sum);
    }

    @Override
    public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int length) {
        if (length < 2 * LANES) {
            return Remainders.square(a, aOffset, b, bOffset, 0, length, 0f);
        }
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = length - length % (2 * LANES); i < bound; i += 2 * LANES) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, a, aOffset + i)
                    .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
            FloatVector d1 = FloatVector.fromArray(SPECIES, a, aOffset + i + LANES)
                    .sub(FloatVector.fromArray(SPECIES, b, bOffset + i + LANES));
            acc0 = mulAdd(d0, d0, acc0);
            acc1 = mulAdd(d1, d1, acc1);
        }
        if (i + LANES <= length) {
            FloatVector d = FloatVector.fromArray(SPECIES, a, aOffset + i)
                    .sub(FloatVector.fromArray(SPECIES, b, bOffset + i));
            acc0 = mulAdd(d, d, acc0);
            i += LANES;
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        return i == length ? sum : Remainders.square(a, aOffset, b, bOffset, i, length, sum);
    }

    @Override
    public float dotProductInt8(float[] q, int qOffset, byte[] codes, int codesOffset, int length) {
        if (BYTE_SPECIES == null || length < 2 * LANES) {
            return Remainders.dotInt8(q, qOffset, codes, codesOffset, 0, length, 0f);
        }
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = length - length % (2 * LANES); i < bound; i += 2 * LANES) {
            acc0 = mulAdd(FloatVector.fromArray(SPECIES, q, qOffset + i), widen(codes, codesOffset + i), acc0);
            acc1 = mulAdd(FloatVector.fromArray(SPECIES, q, qOffset + i + LANES),
                    widen(codes, codesOffset + i + LANES), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        return i == length ? sum : Remainders.dotInt8(q, qOffset, codes, codesOffset, i, length, sum);
    }

    private static FloatVector widen(byte[] codes, int offset) {
        return (FloatVector) ByteVector.fromArray(BYTE_SPECIES, codes, offset)
                .convertShape(VectorOperators.B2F, SPECIES, 0);
    }

    private static VectorSpecies<Byte> byteSpecies() {
        int bits = LANES * Byte.SIZE;
        return bits < 64 ? null : VectorSpecies.of(byte.class, VectorShape.forBitSize(bits));
    }

    @Override
    public float cosine(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int i = 0;
        float dot = 0f, na = 0f, nb = 0f;
        if (length >= 2 * LANES) {
            // Three sums per element already keep the FMA units busy: two-way unrolling is enough here.
            FloatVector dot0 = FloatVector.zero(SPECIES), dot1 = FloatVector.zero(SPECIES);
            FloatVector na0 = FloatVector.zero(SPECIES), na1 = FloatVector.zero(SPECIES);
            FloatVector nb0 = FloatVector.zero(SPECIES), nb1 = FloatVector.zero(SPECIES);
            int bound2 = length - length % (2 * LANES);
            for (; i < bound2; i += 2 * LANES) {
                FloatVector x0 = FloatVector.fromArray(SPECIES, a, aOffset + i);
                FloatVector y0 = FloatVector.fromArray(SPECIES, b, bOffset + i);
                FloatVector x1 = FloatVector.fromArray(SPECIES, a, aOffset + i + LANES);
                FloatVector y1 = FloatVector.fromArray(SPECIES, b, bOffset + i + LANES);
                dot0 = mulAdd(x0, y0, dot0);
                na0 = mulAdd(x0, x0, na0);
                nb0 = mulAdd(y0, y0, nb0);
                dot1 = mulAdd(x1, y1, dot1);
                na1 = mulAdd(x1, x1, na1);
                nb1 = mulAdd(y1, y1, nb1);
            }
            dot = dot0.add(dot1).reduceLanes(VectorOperators.ADD);
            na = na0.add(na1).reduceLanes(VectorOperators.ADD);
            nb = nb0.add(nb1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < length; i++) {
            float x = a[aOffset + i];
            float y = b[bOffset + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return Cosine.of(dot, na, nb);
    }

    private static FloatVector mulAdd(FloatVector x, FloatVector y, FloatVector acc) {
        return FMA ? x.fma(y, acc) : x.mul(y).add(acc);
    }

    @Override
    public String name() {
        return "panama";
    }
}
