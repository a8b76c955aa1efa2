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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generator against a real HTTP server that answers one request at a time, each after {@value #SERVICE_MS} ms: it
 * serves 20 requests/s, and the tests ask for more.
 */
class GeneratorTest {

    private static final int SERVICE_MS = 50;

    private HttpServer server;
    private ExecutorService serial;
    private final AtomicInteger served = new AtomicInteger();
    private RestTargets targets;

    @BeforeEach
    void startSlowServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        serial = Executors.newSingleThreadExecutor();
        server.setExecutor(serial);
        server.createContext("/slow", exchange -> {
            try {
                TimeUnit.MILLISECONDS.sleep(SERVICE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getRequestBody().readAllBytes();
            // Counted before the answer leaves: a client that has its answer must find it counted (counted after,
            // the client's assertion raced this thread and lost once in CI).
            served.incrementAndGet();
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        targets = new RestTargets(List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort())),
                Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() {
        server.stop(0);
        serial.shutdownNow();
    }

    private static Workload slow() {
        return sequence -> new Workload.Call("get", "GET", "/slow", null, response -> { });
    }

    @Test
    void openLoopKeepsItsScheduleWhileLatencyGrowsBehindASlowEndpoint() throws InterruptedException {
        // 50 requests/s for 2 s against a server that serves 20/s: 100 requests, due every 20 ms. The server needs
        // 5 s for them, so requests queue and latency, measured from each due time, climbs to about 3 s.
        StepRecorder recorder = new Generator(targets, "slow", null).openLoop(slow(), 50, Duration.ofSeconds(2),
                1000);

        assertThat(recorder.total().getTotalCount()).isEqualTo(100);
        assertThat(recorder.count(StepRecorder.Outcome.OK)).isEqualTo(100);
        assertThat(served.get()).isEqualTo(100);
        // The send interval does not grow: every request left within a second of its due time (a generator that
        // waited for answers would have sent the last one about 3 s late).
        assertThat(recorder.sendLag().getMaxValue()).isLessThan(TimeUnit.SECONDS.toMicros(1));
        // Latency grows: the last requests waited behind the queue, which the first did not.
        List<StepRecorder.Point> timeline = recorder.timeline();
        assertThat(timeline.get(0).p50()).isLessThan(1_000);
        assertThat(recorder.total().getMaxValue()).isGreaterThan(TimeUnit.SECONDS.toMicros(2));
        // Throughput is what the server gave, not what was asked: 100 answers over about 5 s.
        assertThat(Step.okRate(recorder)).isLessThan(25);
    }

    @Test
    void closedLoopSendsTheNextRequestOnlyAfterTheAnswer() throws InterruptedException {
        // Two clients against a serial 50 ms server: at most 2 requests outstanding, so each waits at most about
        // 100 ms (its own service plus the other's), and the rate is the server's, about 20/s.
        StepRecorder recorder = new Generator(targets, "slow", null).closedLoop(slow(), 2, Duration.ofSeconds(2));

        long answered = recorder.count(StepRecorder.Outcome.OK);
        assertThat(answered).isBetween(10L, 45L);
        assertThat(served.get()).isEqualTo((int) answered);
        assertThat(recorder.total().getValueAtPercentile(50)).isLessThan(TimeUnit.SECONDS.toMicros(1));
    }

    @Test
    void aRefusedConnectionIsRetriedOnTheNextTargetAndCounted() throws Exception {
        int closedPort = LocalCluster.freePorts(1)[0];
        RestTargets twoTargets = new RestTargets(List.of(URI.create("http://127.0.0.1:" + closedPort),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort())), Duration.ofSeconds(60));

        RestTargets.Response first = twoTargets.call("GET", "/slow", null);
        RestTargets.Response second = twoTargets.call("GET", "/slow", null);

        // The first call went to the closed port, was refused and retried; the dead target is then skipped.
        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(twoTargets.retried()).isEqualTo(1);
        assertThat(served.get()).isEqualTo(2);
    }

    @Test
    void errorsAreCountedWithTheFirstOneKept() throws InterruptedException {
        Workload missing = sequence -> new Workload.Call("get", "GET", "/missing", null, response -> { });

        StepRecorder recorder = new Generator(targets, "missing", null).openLoop(missing, 20,
                Duration.ofMillis(500), 100);

        assertThat(recorder.errors()).isEqualTo(10);
        assertThat(recorder.firstError()).startsWith("get: 404");
        assertThat(recorder.count(StepRecorder.Outcome.OK)).isZero();
    }
}
