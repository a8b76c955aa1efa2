package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.index.vector.Metric;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A search that reuses its results object allocates nothing once warm. */
class HnswIndexAllocationTest {

    @ParameterizedTest
    @EnumSource(Metric.class)
    void steadyStateSearchAllocatesNothing(Metric metric) {
        float[][] points = TestData.clustered(5_000, 48, 16, TestData.SEED);
        float[][] queries = TestData.clusteredQueries(200, 48, 16, TestData.SEED);
        HnswIndex index = TestData.index(points, metric);
        SearchResults results = new SearchResults();
        for (int i = 0; i < 3_000; i++) {
            index.search(queries[i % queries.length], 10, 64, null, results);
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 2_000; i++) {
            index.search(queries[i % queries.length], 10, 64, null, results);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // A few hundred bytes of slack for the measurement itself; one allocation per search would be >= 32 KB.
        assertThat(allocated).as("bytes allocated by 2000 searches").isLessThan(1_024);
    }
}
