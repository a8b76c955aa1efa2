package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.index.vector.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Inserts, updates and searches from several threads at once. */
class HnswIndexConcurrencyTest {

    /** Records of 8,000 that no search may find after a concurrent build (see the test below). */
    private static final int MAX_UNREACHABLE = 2;

    /**
     * Concurrent inserts (and compaction, which rebuilds in parallel) must leave the records reachable. An insert
     * used to overwrite its own neighbour list on each level, dropping the links that concurrent inserts had added
     * to it meanwhile; about one record in 1,000 of these random 128-d vectors (8 of 8,000) was then found by no
     * search, however wide its beam. HNSW itself promises no more than "almost all": the diversity heuristic can
     * prune a record out of every list that linked to it, and concurrent inserts that do not see each other make
     * that likelier. One such record in some runs of this test (seen once in CI, and not again in 12 runs) is that,
     * so the bound is {@value #MAX_UNREACHABLE} of 8,000: a lost-update race shows up as several.
     */
    @Test
    void aGraphBuiltByConcurrentInsertsFindsEveryRecord() throws Exception {
        int n = 8_000;
        int dim = 128;
        float[][] points = TestData.uniform(n, dim, TestData.SEED);
        HnswIndex index = HnswIndex.builder(dim, Metric.L2).m(48).efConstruction(200).seed(TestData.SEED).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int first = w;
                writes.add(pool.submit(() -> {
                    for (int row = first; row < n; row += 4) {
                        index.upsert(Integer.toString(row), points[row]);
                    }
                }));
            }
            for (Future<?> write : writes) {
                write.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(unreachable(index, points)).as("records no search finds, concurrent inserts, " + TestData.seedInfo())
                .hasSizeLessThanOrEqualTo(MAX_UNREACHABLE);
        assertThat(unreachable(index.compact(), points)).as("records no search finds, after compaction, "
                + TestData.seedInfo()).hasSizeLessThanOrEqualTo(MAX_UNREACHABLE);
    }

    /** The records a search for their own vector, with a beam of 500, does not find first. */
    private static List<Integer> unreachable(HnswIndex index, float[][] points) {
        List<Integer> missed = new ArrayList<>();
        SearchResults results = new SearchResults();
        for (int row = 0; row < points.length; row++) {
            index.search(points[row], 1, 500, null, results);
            if (results.size() == 0 || !index.id(results.ordinal(0)).equals(Integer.toString(row))) {
                missed.add(row);
            }
        }
        return missed;
    }

    @Test
    void concurrentInsertWhileSearchingKeepsRecall() throws Exception {
        int n = 10_000;
        int dim = 64;
        float[][] points = TestData.clustered(n, dim, 32, TestData.SEED);
        float[][] queries = TestData.clusteredQueries(100, dim, 32, TestData.SEED);
        HnswIndex index = HnswIndex.builder(dim, Metric.L2).seed(TestData.SEED).build();
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger searches = new AtomicInteger();
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int first = w;
                writes.add(pool.submit(() -> {
                    for (int row = first; row < n; row += writers) {
                        index.upsert(Integer.toString(row), points[row]);
                    }
                }));
            }
            List<Future<?>> reads = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                reads.add(pool.submit(() -> {
                    SearchResults results = new SearchResults();
                    int i = 0;
                    while (writing.get() || i < queries.length) {
                        index.search(queries[i++ % queries.length], 10, 64, null, results);
                        for (int h = 1; h < results.size(); h++) {
                            assertThat(results.score(h)).isGreaterThanOrEqualTo(results.score(h - 1));
                        }
                        searches.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : writes) {
                f.get(2, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> f : reads) {
                f.get(1, TimeUnit.MINUTES);
            }
            assertThat(searches.get()).isGreaterThanOrEqualTo(2 * queries.length);
        } finally {
            pool.shutdownNow();
        }
        assertThat(index.size()).isEqualTo(n);
        assertThat(index.tombstones()).isZero();
        assertThat(HnswIndexRecallTest.meanRecall(index, points, queries, Metric.L2))
                .as(TestData.seedInfo())
                .isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void readersSeeTheOldOrTheNewVectorNeverAMix() throws Exception {
        int dim = 16;
        float[][] points = TestData.clustered(2_000, dim, 8, TestData.SEED);
        HnswIndex index = TestData.index(points, Metric.L2);
        float[] a = new float[dim];
        float[] b = new float[dim];
        Arrays.fill(a, 5f);
        Arrays.fill(b, -5f);
        float distanceAb = dim * 100f;
        index.upsert("x", a);

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch readersStarted = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    SearchResults results = new SearchResults();
                    readersStarted.countDown();
                    while (running.get()) {
                        index.search(a, 5, 32, null, results);
                        int seen = 0;
                        for (int h = 0; h < results.size(); h++) {
                            if (index.id(results.ordinal(h)).equals("x")) {
                                seen++;
                                float score = results.score(h);
                                if (score != 0f && score != distanceAb) {
                                    problems.add("x scored " + score);
                                }
                            }
                        }
                        if (seen > 1) {
                            problems.add("x returned " + seen + " times");
                        }
                    }
                }));
            }
            readersStarted.await();
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 3_000; i++) {
                    index.upsert("x", i % 2 == 0 ? b : a);
                }
            });
            writer.get(1, TimeUnit.MINUTES);
            running.set(false);
            for (Future<?> f : readers) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(problems).isEmpty();
        assertThat(index.size()).isEqualTo(2_001);
        assertThat(index.vector("x")).containsExactly(a);
    }
}
