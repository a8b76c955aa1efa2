package io.gridvec.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sampler against a real HTTP server whose {@code /health} reports an RSS that grows by 100 MiB per answer. */
class MemorySamplerTest {

    private static final long MIB = 1024 * 1024;

    private HttpServer server;
    private final AtomicInteger answers = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.createContext("/health", exchange -> {
            int n = answers.getAndIncrement();
            byte[] body = ("{\"status\":\"UP\",\"process\":{\"pid\":1,\"heapUsedBytes\":" + (50 * MIB)
                    + ",\"rssBytes\":" + ((100 + 100L * n) * MIB) + "}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aNodeWhoseResidentSetKeepsGrowingIsReportedWithItsGrowthAndADeadNodeAsMissedSamples() throws Exception {
        URI live = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        URI dead = URI.create("http://127.0.0.1:" + LocalCluster.freePorts(1)[0]);
        Map<String, Object> summary;
        List<MemorySampler.Sample> samples;
        try (MemorySampler sampler = new MemorySampler(List.of(live, dead), Duration.ofMillis(100))) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> answers.get() >= 9);
            sampler.close();
            summary = sampler.summary();
            samples = sampler.samples();
        }

        // Every sample of the live node, in order: RSS 100, 200, 300, ... MiB.
        assertThat(samples).allSatisfy(s -> assertThat(s.node()).isEqualTo(live.getAuthority()));
        for (int i = 0; i < samples.size(); i++) {
            assertThat(samples.get(i).rssMb()).isEqualTo(100.0 + 100 * i);
            assertThat(samples.get(i).heapUsedMb()).isEqualTo(50.0);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> node = (Map<String, Object>) summary.get(live.getAuthority());
        assertThat(node.get("samples")).isEqualTo(samples.size());
        assertThat(node.get("rssFirstMb")).isEqualTo(100.0);
        // The largest RSS of the last third is the last sample; it exceeds the middle third's largest.
        @SuppressWarnings("unchecked")
        List<Double> thirds = (List<Double>) node.get("rssMaxByThirdMb");
        assertThat(thirds.get(2)).isEqualTo(samples.get(samples.size() - 1).rssMb());
        assertThat((Double) node.get("rssGrowthLastThirdPct")).isPositive();
        assertThat(summary).doesNotContainKey(dead.getAuthority());
        assertThat((Long) summary.get("missedSamples")).isGreaterThanOrEqualTo(samples.size() - 1L);
    }
}
