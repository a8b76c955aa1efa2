package io.gridvec.index.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both kernel implementations agree with a double-precision reference at awkward lengths and offsets. The module
 * runs this suite with and without {@code --add-modules jdk.incubator.vector}; the Panama cases run in the first.
 */
class VectorKernelsTest {

    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 13, 64, 207, 768, 1536, 4098})
    void scalarKernelsMatchTheReference(int length) {
        checkAgainstReference(Vectorization.scalar(), length);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 13, 64, 207, 768, 1536, 4098})
    void panamaKernelsMatchTheReferenceAndTheScalarKernels(int length) {
        assumeTrue(Vectorization.vectorModulePresent(), "runs only with --add-modules jdk.incubator.vector");
        VectorKernels panama = Vectorization.panama();
        checkAgainstReference(panama, length);
        SplittableRandom random = new SplittableRandom(SEED + length);
        float[] a = random(random, length + 5);
        float[] b = random(random, length + 9);
        VectorKernels scalar = Vectorization.scalar();
        double tolerance = 1e-4 * length;
        assertThat(panama.dotProduct(a, 5, b, 9, length))
                .isCloseTo(scalar.dotProduct(a, 5, b, 9, length), within((float) tolerance));
        assertThat(panama.squareDistance(a, 5, b, 9, length))
                .isCloseTo(scalar.squareDistance(a, 5, b, 9, length), within((float) tolerance));
        assertThat(panama.cosine(a, 5, b, 9, length))
                .isCloseTo(scalar.cosine(a, 5, b, 9, length), within(1e-4f));
        byte[] codes = codes(random, length + 2);
        assertThat(panama.dotProductInt8(a, 5, codes, 2, length))
                .isCloseTo(scalar.dotProductInt8(a, 5, codes, 2, length), within((float) (0.01 * length)));
    }

    @Test
    void theChosenKernelsFollowTheModuleOrTheProperty() {
        String forced = System.getProperty(Vectorization.PROPERTY, "");
        String expected = forced.isEmpty() ? (Vectorization.vectorModulePresent() ? "panama" : "scalar") : forced;
        assertThat(Vectorization.kernels().name()).isEqualTo(expected);
    }

    @Test
    void cosineOfAZeroVectorIsZero() {
        float[] zero = new float[20];
        float[] one = new float[20];
        one[3] = 1;
        assertThat(Vectorization.kernels().cosine(zero, one)).isZero();
        assertThat(Vectorization.scalar().cosine(zero, one)).isZero();
    }

    private static void checkAgainstReference(VectorKernels kernels, int length) {
        SplittableRandom random = new SplittableRandom(SEED + length);
        // Offsets exercise the slice arithmetic the graph uses for vectors stored in pages.
        float[] a = random(random, length + 3);
        float[] b = random(random, length + 7);
        double dot = 0, l2 = 0, na = 0, nb = 0;
        for (int i = 0; i < length; i++) {
            double x = a[3 + i], y = b[7 + i];
            dot += x * y;
            l2 += (x - y) * (x - y);
            na += x * x;
            nb += y * y;
        }
        float tolerance = (float) (1e-5 * length + 1e-6);
        String seed = "seed " + SEED + ", length " + length + ", " + kernels.name();
        assertThat(kernels.dotProduct(a, 3, b, 7, length)).as(seed).isCloseTo((float) dot, within(tolerance));
        assertThat(kernels.squareDistance(a, 3, b, 7, length)).as(seed).isCloseTo((float) l2, within(tolerance));
        assertThat(kernels.cosine(a, 3, b, 7, length)).as(seed)
                .isCloseTo((float) (dot / Math.sqrt(na * nb)), within(1e-5f));

        byte[] codes = codes(random, length + 1);
        double int8Dot = 0;
        for (int i = 0; i < length; i++) {
            int8Dot += a[3 + i] * (double) codes[1 + i];
        }
        assertThat(kernels.dotProductInt8(a, 3, codes, 1, length)).as(seed)
                .isCloseTo((float) int8Dot, within((float) (1e-3 * length + 1e-4)));
    }

    private static byte[] codes(SplittableRandom random, int length) {
        byte[] codes = new byte[length];
        for (int i = 0; i < length; i++) {
            codes[i] = (byte) (random.nextInt(255) - 127);
        }
        return codes;
    }

    private static float[] random(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}
