package io.gridvec.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.index.vector.Metric;
import io.gridvec.loadtest.dataset.ClusteredDataset;
import io.gridvec.loadtest.dataset.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both engines, built from two threads on a small clustered set, against the brute-force oracle. */
class EnginesTest {

    private static final int K = 10;
    private static final int EF = 64;
    private static final Dataset DATA = ClusteredDataset.generate(3_000, 16, 100, 7);

    @TempDir
    Path dir;

    @Test
    void gridvecFindsTheExactNeighboursOfMostQueries() throws Exception {
        try (Engine gridvec = GridvecEngine.build(DATA.base(), Metric.L2, 16, 100, 42, 2)) {
            assertRecallAtLeast(gridvec, Metric.L2, 0.95);
        }
    }

    @Test
    void luceneFindsTheExactNeighboursOfMostQueries() throws Exception {
        try (Engine lucene = LuceneEngine.build(dir, DATA.base(), Metric.L2, 16, 100, 2)) {
            assertRecallAtLeast(lucene, Metric.L2, 0.95);
        }
    }

    @Test
    void luceneMapsDocumentsBackToBaseIdsForCosine() throws Exception {
        try (Engine lucene = LuceneEngine.build(dir, DATA.base(), Metric.COSINE, 16, 100, 2)) {
            int[] ids = new int[1];
            for (int id : new int[] {0, 1_234, 2_999}) {
                assertThat(lucene.search(DATA.base()[id], 1, EF, ids)).isEqualTo(1);
                assertThat(ids[0]).isEqualTo(id);
            }
        }
    }

    @Test
    void luceneBuildTimeCoversAddingAndMerging() throws Exception {
        try (LuceneEngine lucene = LuceneEngine.build(dir, DATA.base(), Metric.DOT, 16, 100, 1)) {
            assertThat(lucene.buildTime().indexSeconds()).isPositive().isLessThan(lucene.buildSeconds());
        }
    }

    @Test
    void tempDirectoryDeletesTheLuceneFiles() throws Exception {
        Path path;
        try (TempDirectory temp = TempDirectory.create("gridvec-engines-test-")) {
            path = temp.path();
            LuceneEngine.build(path, DATA.base(), Metric.L2, 16, 100, 2).close();
            try (Stream<Path> files = Files.list(path)) {
                assertThat(files).isNotEmpty();
            }
        }
        assertThat(path).doesNotExist();
    }

    private static void assertRecallAtLeast(Engine engine, Metric metric, double expected)
            throws IOException, InterruptedException {
        GroundTruth truth = GroundTruth.compute(DATA.base(), DATA.queries(), K, metric, 2);
        int[][] found = new int[DATA.queries().length][K];
        for (int q = 0; q < found.length; q++) {
            assertThat(engine.search(DATA.queries()[q], K, EF, found[q])).isEqualTo(K);
        }
        assertThat(truth.recall(found)).isGreaterThanOrEqualTo(expected);
    }
}
