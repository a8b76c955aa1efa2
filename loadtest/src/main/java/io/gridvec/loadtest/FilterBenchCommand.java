package io.gridvec.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.PayloadFilter;
import io.gridvec.shard.lag.IndexLag;
import io.gridvec.shard.partition.Change;
import io.gridvec.shard.partition.Shard;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench filter}: a selective filtered search on one shard, with the filter's field declared (the shard's
 * field index names the candidates) against the same field undeclared (the shard tests every record's payload), in
 * this process over the same records and queries, alternating query by query.
 */
@Command(name = "filter", sortOptions = false,
        description = {
            "Builds two shards of one partition in this process over the same --n random vectors, each with a "
                    + "payload {\"category\": \"c<i mod --categories>\", \"rank\": i}: one whose collection declares "
                    + "the field category, one whose does not. Then runs --queries exact-ranked searches (k 10) with "
                    + "the filter {\"must\": [{\"field\": \"category\", \"eq\": ...}]} (1/--categories of the records "
                    + "pass) on both, alternating, after --warmup untimed ones, and prints each one's latency, their "
                    + "ratio and whether every answer was the same, as JSON.",
            ""})
final class FilterBenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--n", defaultValue = "100000", description = "Records (default ${DEFAULT-VALUE}).")
    private int n;

    @Option(names = "--dim", defaultValue = "128", description = "Dimension (default ${DEFAULT-VALUE}).")
    private int dim;

    @Option(names = "--categories", defaultValue = "100", description = "Distinct categories: the filter admits "
            + "1 in this many records (default ${DEFAULT-VALUE}).")
    private int categories;

    @Option(names = "--queries", defaultValue = "300", description = "Measured queries (default ${DEFAULT-VALUE}).")
    private int queries;

    @Option(names = "--warmup", defaultValue = "100", description = "Queries before the measured ones "
            + "(default ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--help", usageHelp = true, description = "Show this help.")
    private boolean help;

    @Override
    public Integer call() throws Exception {
        if (n < 1 || dim < 1 || categories < 1 || queries < 1 || warmup < 0) {
            System.err.println("gridvec bench filter: --n, --dim, --categories and --queries must be positive");
            return BenchCommand.USAGE_ERROR;
        }
        // Both shards search the admitted records exactly (1 in --categories is few), so the graph's quality does not
        // matter here: small HNSW parameters keep the build short.
        CollectionSpec.Hnsw hnsw = new CollectionSpec.Hnsw(8, 32);
        Shard fullPass = shard(new CollectionSpec("bench", dim, "l2", 1, 0, hnsw, 0, null).validated());
        Shard indexed = shard(new CollectionSpec("bench", dim, "l2", 1, 0, hnsw, 0,
                Map.of("category", "string")).validated());
        Random random = new Random(seed);
        long buildStart = System.nanoTime();
        for (int i = 0; i < n; i++) {
            float[] vector = vector(random);
            String payload = "{\"category\": \"c" + (i % categories) + "\", \"rank\": " + i + "}";
            fullPass.load("r" + i, Change.upsert(1, vector, payload));
            indexed.load("r" + i, Change.upsert(1, vector, payload));
        }
        fullPass.ready();
        indexed.ready();
        double buildSeconds = (System.nanoTime() - buildStart) / 1e9;

        for (int q = 0; q < warmup; q++) {
            PayloadFilter filter = filter(random);
            float[] query = vector(random);
            fullPass.search(query, 10, 0, filter, true);
            indexed.search(query, 10, 0, filter, true);
        }
        long[] fullNanos = new long[queries];
        long[] indexedNanos = new long[queries];
        int same = 0;
        for (int q = 0; q < queries; q++) {
            PayloadFilter filter = filter(random);
            float[] query = vector(random);
            // Alternate which runs first, so neither always finds the caches warmed by the other.
            boolean indexedFirst = q % 2 == 0;
            List<Shard.Hit> first = null;
            List<Shard.Hit> second;
            long start = System.nanoTime();
            if (indexedFirst) {
                first = indexed.search(query, 10, 0, filter, true);
                indexedNanos[q] = System.nanoTime() - start;
                start = System.nanoTime();
                second = fullPass.search(query, 10, 0, filter, true);
                fullNanos[q] = System.nanoTime() - start;
            } else {
                second = fullPass.search(query, 10, 0, filter, true);
                fullNanos[q] = System.nanoTime() - start;
                start = System.nanoTime();
                first = indexed.search(query, 10, 0, filter, true);
                indexedNanos[q] = System.nanoTime() - start;
            }
            if (first.equals(second) && first.size() == Math.min(10, n / categories)) {
                same++;
            }
        }
        ObjectNode report = JSON.createObjectNode();
        report.put("n", n).put("dim", dim).put("categories", categories).put("queries", queries)
                .put("buildSeconds", Math.round(buildSeconds * 10) / 10.0);
        report.set("fullPass", latency(fullNanos));
        report.set("fieldIndex", latency(indexedNanos));
        report.put("ratioMean", round(mean(fullNanos) / mean(indexedNanos)));
        report.put("ratioP50", round((double) percentile(fullNanos, 0.5) / percentile(indexedNanos, 0.5)));
        report.put("sameAnswers", same + "/" + queries);
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return same == queries ? 0 : BenchCommand.RUN_FAILED;
    }

    private Shard shard(CollectionSpec spec) {
        return new Shard(spec, 0, Runnable::run, Runnable::run, new IndexLag(Integer.MAX_VALUE, Long.MAX_VALUE));
    }

    private float[] vector(Random random) {
        float[] vector = new float[dim];
        for (int i = 0; i < dim; i++) {
            vector[i] = random.nextFloat();
        }
        return vector;
    }

    private PayloadFilter filter(Random random) throws Exception {
        return PayloadFilter.parse(JSON.readTree("{\"must\": [{\"field\": \"category\", \"eq\": \"c"
                + random.nextInt(categories) + "\"}]}"));
    }

    private static ObjectNode latency(long[] nanos) {
        ObjectNode node = JSON.createObjectNode();
        node.put("meanMs", round(mean(nanos) / 1e6));
        node.put("p50Ms", round(percentile(nanos, 0.5) / 1e6));
        node.put("p99Ms", round(percentile(nanos, 0.99) / 1e6));
        return node;
    }

    private static double mean(long[] nanos) {
        return Arrays.stream(nanos).average().orElse(0);
    }

    private static long percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
