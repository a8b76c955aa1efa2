package io.gridvec.router.search;

import io.gridvec.shard.catalog.CollectionNotFoundException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An online estimate of search recall: a fraction of the searches this node answers from the index is searched
 * again, exactly, on one background thread, and recall@k of the answer against the exact one is kept per collection
 * (the mean of the last {@value #WINDOW} samples). The cost is bounded: one exact search at a time, at most
 * {@value #QUEUE} waiting, and samples that find the queue full are dropped (counted). Off the request path: the
 * search has answered before its sample runs. Thread-safe; {@link #close()} stops it.
 */
public final class RecallEstimator implements AutoCloseable {

    static final int WINDOW = 200;
    static final int QUEUE = 8;
    private static final System.Logger LOG = System.getLogger(RecallEstimator.class.getName());

    private final SearchRouter router;
    private final double rate;
    private final ThreadPoolExecutor worker;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /** One collection's estimate: its mean recall over the window, and the samples taken in all. */
    public record Estimate(double recall, long samples) {}

    /** Samples {@code rate} (0 to 1; 0 turns it off) of the searches answered through {@code router}. */
    public RecallEstimator(SearchRouter router, double rate) {
        this.router = router;
        this.rate = rate;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                Thread.ofPlatform().name("gridvec-recall").daemon().factory(), (task, pool) -> dropped.incrementAndGet());
    }

    /**
     * Offers a search's answer for sampling: an exact search, an answer from the result cache, or an empty answer
     * is never sampled; others are, with the configured probability.
     */
    public void offer(CollectionSpec spec, SearchQuery query, List<SearchHit> hits, boolean cached) {
        if (rate <= 0 || query.isExact() || cached || hits.isEmpty()
                || ThreadLocalRandom.current().nextDouble() >= rate) {
            return;
        }
        List<String> found = new ArrayList<>(hits.size());
        hits.forEach(hit -> found.add(hit.id()));
        worker.execute(() -> sample(spec, query, found));
    }

    /** Returns each collection's estimate; collections with no sample yet are absent. */
    public Map<String, Estimate> estimates() {
        Map<String, Estimate> estimates = new ConcurrentHashMap<>();
        windows.forEach((name, window) -> estimates.put(name, window.estimate()));
        return estimates;
    }

    /** Returns how many samples were dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Returns how many sampled exact searches failed (the collection was deleted meanwhile, a node left). */
    public long failed() {
        return failed.get();
    }

    /** Forgets the estimates of collections that are not in {@code existing} (deleted ones). */
    public void retain(Set<String> existing) {
        windows.keySet().retainAll(existing);
    }

    private void sample(CollectionSpec spec, SearchQuery query, List<String> found) {
        try {
            List<SearchHit> exact = router.search(spec, new SearchQuery[] {query.exactly()}, new boolean[] {false})
                    .hits().get(0);
            if (exact.isEmpty()) {
                return;
            }
            Set<String> truth = new HashSet<>();
            exact.forEach(hit -> truth.add(hit.id()));
            long matched = found.stream().filter(truth::contains).count();
            windows.computeIfAbsent(spec.name(), name -> new Window()).add((double) matched / truth.size());
        } catch (CollectionNotFoundException | PartitionsUnavailableException e) {
            failed.incrementAndGet(); // deleted meanwhile, or owners away: this sample is simply not taken
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "a recall sample of collection '" + spec.name() + "' failed", e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    /** The last {@value #WINDOW} recalls of a collection. */
    private static final class Window {
        private final double[] recalls = new double[WINDOW];
        private long samples;

        synchronized void add(double recall) {
            recalls[(int) (samples++ % WINDOW)] = recall;
        }

        synchronized Estimate estimate() {
            int n = (int) Math.min(samples, WINDOW);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += recalls[i];
            }
            return new Estimate(n == 0 ? Double.NaN : sum / n, samples);
        }
    }
}
