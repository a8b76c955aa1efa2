package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.index.vector.Metric;
import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Recall of the graph search against a brute-force oracle, at default parameters, over seeded data. */
class HnswIndexRecallTest {

    private static final int N = 10_000;
    private static final int DIM = 128;
    private static final int QUERIES = 200;
    private static final int K = 10;

    private static float[][] clustered;
    private static float[][] clusteredQueries;
    private static HnswIndex clusteredIndex;

    @BeforeAll
    static void buildClustered() {
        clustered = TestData.clustered(N, DIM, 64, TestData.SEED);
        clusteredQueries = TestData.clusteredQueries(QUERIES, DIM, 64, TestData.SEED);
        clusteredIndex = TestData.index(clustered, Metric.L2);
    }

    @Test
    void clusteredDataReachesRecall95AtDefaults() {
        assertThat(meanRecall(clusteredIndex, clustered, clusteredQueries, Metric.L2))
                .as(TestData.seedInfo())
                .isGreaterThanOrEqualTo(0.95);
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void uniformDataReachesRecall95AtDefaultsForEveryMetric(Metric metric) {
        float[][] points = TestData.uniform(N, DIM, TestData.SEED);
        float[][] queries = TestData.uniform(QUERIES, DIM, TestData.SEED + 1);
        HnswIndex index = TestData.index(points, metric);
        assertThat(meanRecall(index, points, queries, metric))
                .as(metric + ", " + TestData.seedInfo())
                .isGreaterThanOrEqualTo(0.95);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.05, 0.005})
    void filteredSearchReturnsOnlyAdmittedIdsWithRecall95(double selectivity) {
        SplittableRandom random = new SplittableRandom(TestData.SEED);
        BitSet admittedRows = new BitSet(N);
        BitSet admittedOrdinals = new BitSet(N);
        for (int row = 0; row < N; row++) {
            if (random.nextDouble() < selectivity) {
                admittedRows.set(row);
                admittedOrdinals.set(clusteredIndex.ordinal(Integer.toString(row)));
            }
        }
        OrdinalFilter filter = OrdinalFilter.of(admittedOrdinals);
        double total = 0;
        SearchResults results = new SearchResults();
        for (float[] q : clusteredQueries) {
            clusteredIndex.search(q, K, clusteredIndex.efSearch(), filter, results);
            for (int i = 0; i < results.size(); i++) {
                assertThat(admittedRows.get(Integer.parseInt(clusteredIndex.id(results.ordinal(i)))))
                        .as("hit %s admitted, %s", clusteredIndex.id(results.ordinal(i)), TestData.seedInfo())
                        .isTrue();
            }
            total += TestData.recall(clusteredIndex, results,
                    TestData.exactTopK(clustered, q, K, Metric.L2, admittedRows::get));
        }
        assertThat(total / QUERIES)
                .as("selectivity %s, %s", selectivity, TestData.seedInfo())
                .isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void veryNarrowFilterSwitchesToExactAndSaysSo() {
        BitSet admitted = new BitSet();
        for (int row = 0; row < 5; row++) {
            admitted.set(clusteredIndex.ordinal(Integer.toString(row)));
        }
        SearchResults results = clusteredIndex.search(clusteredQueries[0], K, 64, OrdinalFilter.of(admitted), null);
        assertThat(results.strategy()).isEqualTo(SearchStrategy.EXACT_FILTERED);
        assertThat(results.size()).isEqualTo(5);
        assertThat(results.visited()).isEqualTo(5);
    }

    @Test
    void broadFilterStaysOnTheGraphAndSaysSo() {
        SearchResults results = clusteredIndex.search(clusteredQueries[0], K, 64, OrdinalFilter.of(o -> o % 2 == 0),
                null);
        assertThat(results.strategy()).isEqualTo(SearchStrategy.HNSW_FILTERED);
        assertThat(results.visited()).isLessThan(N / 2);
    }

    @Test
    void exactSearchMatchesTheOracle() {
        SearchResults results = new SearchResults();
        for (float[] q : clusteredQueries) {
            clusteredIndex.searchExact(q, K, null, results);
            assertThat(results.strategy()).isEqualTo(SearchStrategy.EXACT);
            assertThat(TestData.recall(clusteredIndex, results,
                    TestData.exactTopK(clustered, q, K, Metric.L2, row -> true)))
                    .as(TestData.seedInfo())
                    .isEqualTo(1.0);
        }
    }

    static double meanRecall(HnswIndex index, float[][] points, float[][] queries, Metric metric) {
        double total = 0;
        SearchResults results = new SearchResults();
        for (float[] q : queries) {
            index.search(q, K, index.efSearch(), null, results);
            total += TestData.recall(index, results, TestData.exactTopK(points, q, K, metric, row -> true));
        }
        return total / queries.length;
    }
}
