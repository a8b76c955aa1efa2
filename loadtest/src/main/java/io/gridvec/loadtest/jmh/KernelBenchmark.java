package io.gridvec.loadtest.jmh;

import io.gridvec.index.vector.VectorKernels;
import io.gridvec.index.vector.Vectorization;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the distance kernels, scalar against Panama, over random float arrays of several dimensions.
 *
 * <p>Run (about three minutes on 2 cores): {@code ./gridvec bench kernels}; a quick look:
 * {@code ./gridvec bench kernels -f 1 -wi 1 -i 1 -p dim=128}. Without the launcher, after
 * {@code ./mvnw -B -q -pl index,loadtest -am package -DskipTests}:
 * {@code java --add-modules jdk.incubator.vector -jar loadtest/target/gridvec-loadtest.jar kernels}.
 *
 * <p>JMH needs this class and its annotated members public and non-final.
 */
// Average time per call: a kernel is one distance, so ns/op reads directly as the cost of one comparison.
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Each thread its own arrays: no sharing between benchmark threads if someone runs with -t.
@State(Scope.Thread)
// One fresh JVM per parameter combination: the kernel call site sees one implementation, as in a real process where
// the choice is made once; a second fork would double the run time on 2 cores for little gain.
@Fork(1)
// C2 has compiled these small loops within the first second; the second warm-up iteration shows it settled.
@Warmup(iterations = 2, time = 1, timeUnit = TimeUnit.SECONDS)
// Three one-second iterations give a mean with an error bar and keep the default run near three minutes.
@Measurement(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
public class KernelBenchmark {

    // The competitors: the always-present scalar kernels and the jdk.incubator.vector ones.
    @Param({"scalar", "panama"})
    public String impl;

    // 128 (SIFT-like), 207 (odd: exercises the vector and scalar tails), 768 and 1536 (common text embeddings).
    @Param({"128", "207", "768", "1536"})
    public int dim;

    private VectorKernels kernels;
    private float[] a;
    private float[] b;
    private byte[] codes;

    // Once per trial: the arrays and the implementation do not change between iterations.
    @Setup
    public void setUp() {
        kernels = switch (impl) {
            case "scalar" -> Vectorization.scalar();
            case "panama" -> Vectorization.panama();
            default -> throw new IllegalArgumentException("impl must be scalar or panama, was " + impl);
        };
        SplittableRandom random = new SplittableRandom(42);
        a = new float[dim];
        b = new float[dim];
        codes = new byte[dim];
        for (int i = 0; i < dim; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
            b[i] = (float) random.nextDouble(-1, 1);
            codes[i] = (byte) random.nextInt(-127, 128);
        }
    }

    // Returning the result hands it to JMH's blackhole, so the computation cannot be eliminated.
    @Benchmark
    public float dotProduct() {
        return kernels.dotProduct(a, b);
    }

    @Benchmark
    public float squareDistance() {
        return kernels.squareDistance(a, b);
    }

    @Benchmark
    public float cosine() {
        return kernels.cosine(a, b);
    }

    // The kernel that steers query-time graph traversal: a float query against a node's int8 codes.
    @Benchmark
    public float dotProductInt8() {
        return kernels.dotProductInt8(a, 0, codes, 0, dim);
    }
}
