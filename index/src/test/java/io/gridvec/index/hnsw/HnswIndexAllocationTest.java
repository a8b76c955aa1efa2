package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.index.vector.Metric;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A search that reuses its results object allocates nothing once warm. What "warm" takes depends on the JIT: until
 * C2 has compiled the search loop and removed its short-lived objects, a round allocates. On a busy machine that can
 * take many rounds, so the test measures rounds of 2,000 searches until one allocates (almost) nothing, and fails
 * only when none of {@value #ROUNDS} does: a search that allocates by design allocates in every round.
 */
class HnswIndexAllocationTest {

    private static final int ROUNDS = 20;
    private static final int SEARCHES = 2_000;
    /** A few hundred bytes of slack for the measurement itself; one allocation per search would be >= 32 KB. */
    private static final long SLACK_BYTES = 1_024;

    @ParameterizedTest
    @EnumSource(Metric.class)
    void steadyStateSearchAllocatesNothing(Metric metric) {
        float[][] points = TestData.clustered(5_000, 48, 16, TestData.SEED);
        float[][] queries = TestData.clusteredQueries(200, 48, 16, TestData.SEED);
        HnswIndex index = TestData.index(points, metric);
        SearchResults results = new SearchResults();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && best >= SLACK_BYTES; round++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < SEARCHES; i++) {
                index.search(queries[i % queries.length], 10, 64, null, results);
            }
            best = Math.min(best, threads.getThreadAllocatedBytes(thread) - before);
        }
        assertThat(best).as("bytes allocated by the best of " + ROUNDS + " rounds of " + SEARCHES + " searches")
                .isLessThan(SLACK_BYTES);
    }
}
