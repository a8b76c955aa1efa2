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
