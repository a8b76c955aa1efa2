package io.gridvec.router.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultCacheTest {

    private static final List<SearchHit> ANSWER = List.of(new SearchHit("a", 0.5f, null, null),
            new SearchHit("b", 0.7f, null, null));

    private static SearchQuery query(float first) {
        return new SearchQuery(new float[] {first, 2, 3}, 10, 0, null, false, false, false);
    }

    @Test
    void anAnswerIsServedForAnEqualQueryUnderTheSameGenerationOnly() {
        ResultCache cache = new ResultCache(1 << 20);
        assertThat(cache.get("c", 4, query(1))).isNull();
        cache.put("c", 4, query(1), 3, ANSWER);

        assertThat(cache.get("c", 4, query(1))).as("an equal query, another vector array").isEqualTo(ANSWER);
        assertThat(cache.get("other", 4, query(1))).as("another collection").isNull();
        assertThat(cache.get("c", 4, query(1.5f))).as("another vector").isNull();
        assertThat(cache.get("c", 4, new SearchQuery(new float[] {1, 2, 3}, 11, 0, null, false, false, false)))
                .as("another k").isNull();
        assertThat(cache.get("c", 4, new SearchQuery(new float[] {1, 2, 3}, 10, 64, null, false, false, false)))
                .as("another ef").isNull();
        assertThat(cache.get("c", 4, new SearchQuery(new float[] {1, 2, 3}, 10, 0, "{\"eq\":1}", false, false,
                false))).as("a filter").isNull();
        assertThat(cache.get("c", 4, new SearchQuery(new float[] {1, 2, 3}, 10, 0, null, true, false, false)))
                .as("exact").isNull();
        assertThat(cache.get("c", 4, new SearchQuery(new float[] {1, 2, 3}, 10, 0, null, false, true, false)))
                .as("with payloads").isNull();

        assertThat(cache.get("c", 5, query(1))).as("after a write to the collection").isNull();
        assertThat(cache.stats().entries()).as("the stale answer is dropped").isZero();
        assertThat(cache.stats().bytes()).isZero();
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(9);
    }

    @Test
    void anAnswerComputedUnderAnOlderGenerationNeverReplacesANewerOne() {
        ResultCache cache = new ResultCache(1 << 20);
        List<SearchHit> newer = List.of(new SearchHit("fresh", 0.1f, null, null));
        cache.put("c", 7, query(1), 3, newer);
        cache.put("c", 6, query(1), 3, ANSWER);

        assertThat(cache.get("c", 7, query(1))).isEqualTo(newer);
        assertThat(cache.get("c", 6, query(1))).isNull();
        assertThat(cache.get("c", 7, query(1))).as("a miss under an older generation keeps the newer answer")
                .isEqualTo(newer);
    }

    @Test
    void theLeastRecentlyUsedAnswersGoFirstWhenTheBoundIsReached() {
        ResultCache probe = new ResultCache(1 << 20);
        probe.put("c", 1, query(0), 3, ANSWER);
        long entry = probe.stats().bytes();
        ResultCache cache = new ResultCache(3 * entry);
        cache.put("c", 1, query(1), 3, ANSWER);
        cache.put("c", 1, query(2), 3, ANSWER);
        cache.put("c", 1, query(3), 3, ANSWER);
        assertThat(cache.get("c", 1, query(1))).as("used, so now the most recent").isNotNull();
        cache.put("c", 1, query(4), 3, ANSWER);

        assertThat(cache.get("c", 1, query(2))).as("the least recently used").isNull();
        assertThat(cache.get("c", 1, query(1))).isNotNull();
        assertThat(cache.get("c", 1, query(3))).isNotNull();
        assertThat(cache.get("c", 1, query(4))).isNotNull();
        assertThat(cache.stats().entries()).isEqualTo(3);
        assertThat(cache.stats().bytes()).isEqualTo(3 * entry);
        assertThat(cache.stats().evictions()).isEqualTo(1);
    }

    @Test
    void theEstimateCountsPayloadsAndVectorsAndAnAnswerLargerThanTheCacheIsNotKept() {
        ResultCache cache = new ResultCache(4_000);
        cache.put("c", 1, query(1), 3, ANSWER);
        long small = cache.stats().bytes();
        cache.put("c", 1, query(2), 3, List.of(new SearchHit("a", 0.5f, "{\"k\":\"" + "x".repeat(100) + "\"}",
                new float[100]), new SearchHit("b", 0.7f, null, null)));
        assertThat(cache.stats().bytes() - small).as("2 x 108 chars of payload and 100 floats more than ANSWER")
                .isEqualTo(small + 2 * 108 + 4 * 100);

        cache.put("c", 1, query(3), 3, List.of(new SearchHit("a", 0.5f, "x".repeat(2_000), null)));
        assertThat(cache.get("c", 1, query(3))).isNull();
        assertThat(cache.get("c", 1, query(1))).as("nothing was evicted for it").isNotNull();
        assertThat(new ResultCache(0).enabled()).isFalse();
    }
}
