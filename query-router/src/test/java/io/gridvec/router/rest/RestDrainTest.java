package io.gridvec.router.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A draining server over real HTTP: the request it is serving finishes with its answer, a new one is refused with a
 * JSON 503 and {@code Retry-After}, and the drain ends when the last request does, or at its timeout.
 */
class RestDrainTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private RestServer server;

    @BeforeEach
    void start() {
        server = RestServer.start("127.0.0.1", 0, List.of(routes -> routes.get("/slow", ctx -> {
            entered.countDown();
            // Bounded, so a failing test never hangs the server.
            boolean released = release.await(60, TimeUnit.SECONDS);
            ctx.result(released ? "done" : "not released");
        }, Permission.READ)), (ctx, millis) -> { });
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    @Test
    void aDrainingServerFinishesWhatItServesAndRefusesNewRequests() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = send("/slow");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        // Its own thread: the common pool has one worker on 2 cores, and the HTTP client completes futures there.
        ExecutorService drainer = Executors.newSingleThreadExecutor();
        CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> drain(30_000), drainer);
        drainer.shutdown();

        HttpResponse<String> refused = awaitRefused();
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(error.path("message").asText()).contains("stopping");
        assertThat(drained).as("the drain waits for the request being served").isNotDone();

        release.countDown();
        assertThat(slow.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(slow.get().body()).isEqualTo("done");
        assertThat(drained.get(30, TimeUnit.SECONDS)).as("requests left when the drain ended").isZero();
    }

    @Test
    void aDrainEndsAtItsTimeoutAndCountsWhatIsStillRunning() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = send("/slow");
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(drain(200)).isEqualTo(1);
        release.countDown();
        assertThat(slow.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    /** Sends requests until the drain has begun and one is refused (the drain starts on another thread). */
    private HttpResponse<String> awaitRefused() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = send("/health").get(30, TimeUnit.SECONDS);
            if (response.statusCode() == 503) {
                return response;
            }
            assertThat(response.statusCode()).isEqualTo(200);
            Thread.sleep(10); // the poll interval of this wait for a condition (the first 503), bounded above
        }
        throw new AssertionError("no request was refused within 30 s of the drain");
    }

    private int drain(long timeoutMs) {
        try {
            return server.drain(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private CompletableFuture<HttpResponse<String>> send(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
