package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridvec.index.vector.Metric;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Deletes, vector updates and compaction, checked against the oracle. */
class HnswIndexMutationTest {

    private static final int N = 4_000;
    private static final int DIM = 32;

    @Test
    void searchAfterDeleteNeverReturnsDeletedIds() {
        float[][] points = TestData.clustered(N, DIM, 16, TestData.SEED);
        HnswIndex index = TestData.index(points, Metric.L2);
        Set<String> deleted = new HashSet<>();
        for (int row = 0; row < N; row += 3) {
            assertThat(index.delete(Integer.toString(row))).isTrue();
            deleted.add(Integer.toString(row));
            points[row] = null;
        }
        assertThat(index.delete("0")).as("second delete of the same id").isFalse();
        assertThat(index.size()).isEqualTo(N - deleted.size());
        assertThat(index.tombstones()).isEqualTo(deleted.size());

        float[][] queries = TestData.clusteredQueries(100, DIM, 16, TestData.SEED);
        SearchResults results = new SearchResults();
        double recall = 0;
        for (float[] q : queries) {
            index.search(q, 10, index.efSearch(), null, results);
            assertThat(results.size()).isEqualTo(10);
            for (int i = 0; i < results.size(); i++) {
                assertThat(deleted).as(TestData.seedInfo()).doesNotContain(index.id(results.ordinal(i)));
            }
            recall += TestData.recall(index, results, TestData.exactTopK(points, q, 10, Metric.L2, r -> true));
        }
        assertThat(recall / queries.length).as(TestData.seedInfo()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void updatedVectorIsFoundAtItsNewPlaceOnly() {
        float[][] points = TestData.clustered(N, DIM, 16, TestData.SEED);
        HnswIndex index = TestData.index(points, Metric.L2);
        float[] far = new float[DIM];
        java.util.Arrays.fill(far, 100f);
        index.upsert("7", far);

        SearchResults nearFar = index.search(far, 1);
        assertThat(index.id(nearFar.ordinal(0))).isEqualTo("7");
        assertThat(nearFar.score(0)).isZero();

        SearchResults nearOld = index.search(points[7], 10);
        for (int i = 0; i < nearOld.size(); i++) {
            assertThat(index.id(nearOld.ordinal(i))).isNotEqualTo("7");
        }
        assertThat(index.size()).isEqualTo(N);
        assertThat(index.tombstones()).isEqualTo(1);
        assertThat(index.vector("7")).containsExactly(far);
    }

    @Test
    void reinsertAfterDeleteMakesTheRecordLiveAgain() {
        HnswIndex index = HnswIndex.builder(3, Metric.L2).build();
        index.upsert("a", new float[] {1, 0, 0});
        index.delete("a");
        assertThat(index.search(new float[] {1, 0, 0}, 5).size()).isZero();
        index.upsert("a", new float[] {0, 1, 0});
        SearchResults results = index.search(new float[] {0, 1, 0}, 5);
        assertThat(results.size()).isEqualTo(1);
        assertThat(index.id(results.ordinal(0))).isEqualTo("a");
    }

    @Test
    void compactionDropsTombstonesAndKeepsEveryLiveRecordFindable() {
        float[][] points = TestData.clustered(N, DIM, 16, TestData.SEED);
        HnswIndex index = TestData.index(points, Metric.COSINE);
        for (int row = 0; row < N; row += 2) {
            index.delete(Integer.toString(row));
            points[row] = null;
        }
        HnswIndex compacted = index.compact();
        assertThat(compacted.size()).isEqualTo(N / 2);
        assertThat(compacted.tombstones()).isZero();
        assertThat(compacted.ordinal("0")).isEqualTo(-1);

        float[][] queries = TestData.clusteredQueries(100, DIM, 16, TestData.SEED);
        double recall = 0;
        for (float[] q : queries) {
            recall += TestData.recall(compacted, compacted.search(q, 10),
                    TestData.exactTopK(points, q, 10, Metric.COSINE, r -> true));
        }
        assertThat(recall / queries.length).as(TestData.seedInfo()).isGreaterThanOrEqualTo(0.95);
        int selfHits = 0;
        for (int row = 1; row < N; row += 2) {
            String id = Integer.toString(row);
            assertThat(compacted.vector(id)).as("record %s kept", id).isEqualTo(index.vector(id));
            if (compacted.search(points[row], 1, 64, null, null).ordinal(0) == compacted.ordinal(id)) {
                selfHits++;
            }
        }
        // HNSW does not promise that every node is reachable; nearly all must be.
        assertThat(selfHits).as(TestData.seedInfo()).isGreaterThanOrEqualTo((int) (0.99 * N / 2));
    }

    @Test
    void invalidInputIsRejectedWithTheFieldAndTheLimitAndChangesNothing() {
        HnswIndex index = HnswIndex.builder(4, Metric.COSINE).build();
        index.upsert("a", new float[] {1, 2, 3, 4});
        assertThatThrownBy(() -> index.upsert("b", new float[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vector must have dimension 4, was 3");
        assertThatThrownBy(() -> index.upsert("b", new float[] {1, Float.NaN, 3, 4}))
                .hasMessage("vector[1] must be finite, was NaN");
        assertThatThrownBy(() -> index.upsert("b", new float[4]))
                .hasMessage("vector must not be all zeros for metric cosine");
        assertThatThrownBy(() -> index.upsert("", new float[] {1, 2, 3, 4}))
                .hasMessage("id must not be empty");
        assertThatThrownBy(() -> index.search(new float[] {1, 2, 3, 4}, 0))
                .hasMessage("k must be at least 1, was 0");
        assertThatThrownBy(() -> index.search(new float[] {1, 2, 3, 4}, 1, 0, null, null))
                .hasMessage("ef must be at least 1, was 0");
        assertThatThrownBy(() -> index.search(new float[] {1, 2, Float.POSITIVE_INFINITY, 4}, 1))
                .hasMessage("query[2] must be finite, was Infinity");
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.tombstones()).isZero();
    }

    @Test
    void builderNamesTheBadParameter() {
        assertThatThrownBy(() -> HnswIndex.builder(0, Metric.L2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dimension must be in [1, 65536], was 0");
        assertThatThrownBy(() -> HnswIndex.builder(65_537, Metric.L2).build())
                .hasMessage("dimension must be in [1, 65536], was 65537");
        assertThatThrownBy(() -> HnswIndex.builder(8, Metric.L2).m(1).build())
                .hasMessage("m must be in [2, 512], was 1");
        assertThatThrownBy(() -> HnswIndex.builder(8, Metric.L2).efConstruction(0).build())
                .hasMessage("efConstruction must be in [1, 10000], was 0");
        assertThatThrownBy(() -> Metric.parse("hamming"))
                .hasMessage("metric must be one of cosine, dot, l2, was 'hamming'");
    }

    @Test
    void extremeDimensionsWork() {
        HnswIndex one = HnswIndex.builder(1, Metric.L2).build();
        for (int i = 0; i < 100; i++) {
            one.upsert(Integer.toString(i), new float[] {i});
        }
        SearchResults results = one.search(new float[] {41.2f}, 3);
        assertThat(one.id(results.ordinal(0))).isEqualTo("41");

        HnswIndex wide = HnswIndex.builder(HnswIndex.MAX_DIMENSION, Metric.DOT).build();
        float[] v = new float[HnswIndex.MAX_DIMENSION];
        v[HnswIndex.MAX_DIMENSION - 1] = 1;
        wide.upsert("last", v);
        wide.upsert("first", new float[HnswIndex.MAX_DIMENSION]);
        assertThat(wide.id(wide.search(v, 1).ordinal(0))).isEqualTo("last");
    }
}
