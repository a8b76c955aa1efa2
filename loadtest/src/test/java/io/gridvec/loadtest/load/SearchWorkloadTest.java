package io.gridvec.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridvec.index.vector.Metric;
import io.gridvec.loadtest.GroundTruth;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SearchWorkloadTest {

    /** Base vector i is the point i on a line: the nearest neighbours of a query are known by hand. */
    private static final float[][] LINE = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}};
    /** Query 0 at 0.1 has exact top-2 {0, 1}; query 1 at 8.9 has {9, 8}. */
    private static final float[][] QUERIES = {{0.1f}, {8.9f}};

    private static void answer(Workload.Call call, String... ids) {
        StringBuilder body = new StringBuilder("{\"hits\":[");
        for (int i = 0; i < ids.length; i++) {
            body.append(i > 0 ? "," : "").append("{\"id\":\"").append(ids[i]).append("\",\"score\":1.0}");
        }
        call.onAnswer().accept(new RestTargets.Response(200, body.append("]}").toString(), 0));
    }

    @Test
    void recallCountsTheExactNeighboursInEachAnswer() throws InterruptedException {
        GroundTruth truth = GroundTruth.compute(LINE, QUERIES, 2, Metric.L2, 1);
        SearchWorkload searches = new SearchWorkload("c", QUERIES, 2, 24, truth);

        answer(searches.next(0), "1", "0"); // query 0: both
        answer(searches.next(1), "9", "7"); // query 1: one of two
        answer(searches.next(2), "5", "mixed-3"); // query 0 again: neither; a record the load wrote never counts

        assertThat(searches.recall()).isEqualTo(3.0 / 6);
    }

    @Test
    void requestsCycleThroughTheQueriesWithKAndEf() throws InterruptedException {
        GroundTruth truth = GroundTruth.compute(LINE, QUERIES, 2, Metric.L2, 1);
        SearchWorkload searches = new SearchWorkload("docs", QUERIES, 2, 24, truth);

        Workload.Call third = searches.next(2);

        assertThat(third.method()).isEqualTo("POST");
        assertThat(third.path()).isEqualTo("/v1/collections/docs/search");
        assertThat(new String(third.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"k\":2,\"ef\":24,\"cache\":false,\"vector\":[0.1]}");
        assertThat(new String(searches.next(1).body(), StandardCharsets.UTF_8)).contains("[8.9]");
        assertThat(searches.recall()).isNaN();
    }

    @Test
    void aGroundTruthForOtherQueriesIsRefused() throws InterruptedException {
        GroundTruth truth = GroundTruth.compute(LINE, QUERIES, 3, Metric.L2, 1);

        assertThatThrownBy(() -> new SearchWorkload("c", QUERIES, 2, null, truth))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 queries at k 3, expected 2 at k 2");
    }

    @Test
    void mixedLoadKeepsItsRatioAndDeletesOnlyRecordsItWrote() throws InterruptedException {
        GroundTruth truth = GroundTruth.compute(LINE, QUERIES, 2, Metric.L2, 1);
        SearchWorkload searches = new SearchWorkload("c", QUERIES, 2, null, truth);
        MixedWorkload mixed = new MixedWorkload(searches, MixedWorkload.Mix.parse("50,30,20"), "c", LINE, 7);
        int[] counts = new int[3];
        for (long i = 0; i < 10_000; i++) {
            Workload.Call call = mixed.next(i);
            switch (call.op()) {
                case "search" -> counts[0]++;
                case "upsert" -> {
                    counts[1]++;
                    assertThat(new String(call.body(), StandardCharsets.UTF_8)).startsWith("{\"records\":[{\"id\":\"mixed-" + i + "\"");
                    call.onAnswer().accept(new RestTargets.Response(200, "{\"upserted\":1}", 0));
                }
                default -> {
                    counts[2]++;
                    assertThat(new String(call.body(), StandardCharsets.UTF_8)).startsWith("{\"ids\":[\"mixed-");
                }
            }
        }
        assertThat(counts[0]).isBetween(4_800, 5_200);
        assertThat(counts[1]).isBetween(2_800, 3_200);
        assertThat(counts[2]).isBetween(1_800, 2_200);
        // The same sequence number always makes the same operation.
        assertThat(mixed.next(42).op()).isEqualTo(mixed.next(42).op());
    }

    @Test
    void badMixesAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> MixedWorkload.Mix.parse("90,10")).hasMessageContaining("--mix");
        assertThatThrownBy(() -> MixedWorkload.Mix.parse("0,0,0")).hasMessageContaining("sum above 0");
        assertThatThrownBy(() -> MixedWorkload.Mix.parse("a,b,c")).hasMessageContaining("integers");
    }

    @Test
    void durationsTakeAUnit() {
        assertThat(RunOptions.DurationConverter.parse("500ms")).hasMillis(500);
        assertThat(RunOptions.DurationConverter.parse("30s")).hasSeconds(30);
        assertThat(RunOptions.DurationConverter.parse("10m")).hasMinutes(10);
        assertThat(RunOptions.DurationConverter.parse("1.5h")).hasMinutes(90);
        assertThatThrownBy(() -> RunOptions.DurationConverter.parse("10 parsecs")).hasMessageContaining("unit");
        assertThatThrownBy(() -> RunOptions.DurationConverter.parse("s")).hasMessageContaining("a number");
    }
}
