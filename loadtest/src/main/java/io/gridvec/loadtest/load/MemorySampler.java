package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples every node's heap and resident set ({@code GET /health} {@code process}) at a fixed interval while a load
 * runs. A node that does not answer a sample is skipped for that sample and counted. Thread-safe.
 */
final class MemorySampler implements AutoCloseable {

    /** One node's memory at one moment, in MiB. */
    record Sample(double atSeconds, String node, double heapUsedMb, double rssMb) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MIB = 1024.0 * 1024.0;

    private final List<URI> nodes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "loadtest-memory");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long missed;

    /** Starts sampling {@code nodes} (REST URLs) now and every {@code interval}. */
    MemorySampler(List<URI> nodes, Duration interval) {
        this.nodes = List.copyOf(nodes);
        timer.scheduleAtFixedRate(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        double at = (System.nanoTime() - startNanos) / 1e9;
        for (URI node : nodes) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(node.resolve("/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode process = JSON.readTree(response.body()).path("process");
                if (response.statusCode() != 200 || process.isMissingNode()) {
                    missed++;
                    continue;
                }
                samples.add(new Sample(at, node.getAuthority(), process.path("heapUsedBytes").asLong() / MIB,
                        process.path("rssBytes").asLong() / MIB));
            } catch (IOException e) {
                missed++; // a node that is down or stalled has no sample now; the count says how many were missed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * Per node: RSS and heap at the first sample, the largest RSS in each third of the run, and how much the last
     * third's largest RSS exceeds the middle third's ({@code rssGrowthLastThirdPct}). Memory that levels off grows by
     * little there; a leak keeps growing.
     */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        double end = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).atSeconds();
        for (URI uri : nodes) {
            String node = uri.getAuthority();
            List<Sample> own = samples.stream().filter(s -> s.node().equals(node)).toList();
            if (own.isEmpty()) {
                continue;
            }
            double[] thirds = new double[3];
            double heapMax = 0;
            for (Sample s : own) {
                int third = Math.min(2, (int) (3 * s.atSeconds() / Math.max(1e-9, end)));
                thirds[third] = Math.max(thirds[third], s.rssMb());
                heapMax = Math.max(heapMax, s.heapUsedMb());
            }
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("samples", own.size());
            figures.put("rssFirstMb", Step.round(own.get(0).rssMb()));
            figures.put("rssMaxByThirdMb", List.of(Step.round(thirds[0]), Step.round(thirds[1]),
                    Step.round(thirds[2])));
            figures.put("rssGrowthLastThirdPct", thirds[1] == 0 ? null
                    : Step.round(100 * (thirds[2] - thirds[1]) / thirds[1]));
            figures.put("heapUsedMaxMb", Step.round(heapMax));
            summary.put(node, figures);
        }
        summary.put("missedSamples", missed);
        return summary;
    }

    /**
     * Stops sampling.
     *
     * @throws InterruptedException when interrupted while the sampler stops
     */
    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the memory sampler did not stop");
        }
    }
}
