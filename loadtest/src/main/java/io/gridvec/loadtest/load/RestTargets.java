package io.gridvec.loadtest.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cluster's REST endpoints used as one, the way a client behind a load balancer sees them: requests go round-robin
 * over the targets on keep-alive HTTP/1.1 connections; a request whose target refuses or drops the connection is sent
 * once more to the next target, and the failed target is skipped for {@link #QUARANTINE}. Those second attempts are
 * counted ({@link #retried()}); a request that times out is not retried. Thread-safe.
 */
final class RestTargets {

    /** How long opening a connection may take: long enough for a saturated node's accept queue. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a target that failed a connection is skipped. */
    static final Duration QUARANTINE = Duration.ofSeconds(2);

    /** An HTTP answer: status, body and the {@code Retry-After} seconds (0 when absent). */
    record Response(int status, String body, long retryAfterSeconds) {

        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final List<URI> urls;
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLongArray downUntil;
    private final LongAdder retried = new LongAdder();

    RestTargets(List<URI> urls, Duration timeout) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("--targets must name at least one URL");
        }
        this.urls = List.copyOf(urls);
        this.timeout = timeout;
        this.downUntil = new AtomicLongArray(urls.size());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    List<URI> urls() {
        return urls;
    }

    /** Returns how many requests were sent a second time because their first target failed the connection. */
    long retried() {
        return retried.sum();
    }

    /** Sends a request to the next live target; completes exceptionally only when both attempts failed. */
    CompletableFuture<Response> send(String method, String path, byte[] body) {
        int first = pick();
        return attempt(first, method, path, body)
                .handle((response, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(response);
                    }
                    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                    if (!retriable(cause) || urls.size() == 1) {
                        return CompletableFuture.<Response>failedFuture(cause);
                    }
                    downUntil.set(first, System.nanoTime() + QUARANTINE.toNanos());
                    retried.increment();
                    return attempt(pick(), method, path, body);
                })
                .thenCompose(answer -> answer);
    }

    /**
     * Sends a request and waits for its answer.
     *
     * @throws IOException when no target answered
     * @throws InterruptedException when interrupted while waiting
     */
    Response call(String method, String path, byte[] body) throws IOException, InterruptedException {
        try {
            return send(method, path, body).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                // The JDK's messages rarely say where (a refused connection has none): name the request and targets.
                throw new IOException(method + " " + path + " to " + urls + " failed: " + io, io);
            }
            throw new IllegalStateException(method + " " + path + " failed", e.getCause());
        }
    }

    /**
     * Sends a request to one target and returns its body, or fails naming the request and the answer.
     *
     * @throws IOException when the target does not answer or answers another status than {@code expected}
     * @throws InterruptedException when interrupted while waiting
     */
    String expect(int expected, String method, String path, String body) throws IOException, InterruptedException {
        Response response = call(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        if (response.status() != expected) {
            throw new IOException(method + " " + path + " answered " + response.status() + ", expected " + expected
                    + ": " + response.body());
        }
        return response.body();
    }

    private static boolean retriable(Throwable cause) {
        return cause instanceof HttpConnectTimeoutException
                || (cause instanceof IOException && !(cause instanceof HttpTimeoutException));
    }

    /** Round-robin over the targets not in quarantine; when all are, over all of them. */
    private int pick() {
        long now = System.nanoTime();
        for (int tries = 0; tries < urls.size(); tries++) {
            int i = (int) Math.floorMod(next.getAndIncrement(), (long) urls.size());
            if (downUntil.get(i) - now <= 0) {
                return i;
            }
        }
        return (int) Math.floorMod(next.getAndIncrement(), (long) urls.size());
    }

    private CompletableFuture<Response> attempt(int target, String method, String path, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(urls.get(target).resolve(path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> new Response(response.statusCode(), response.body(),
                        response.headers().firstValue("Retry-After").map(RestTargets::seconds).orElse(0L)));
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim()));
        } catch (NumberFormatException e) {
            return 1; // an HTTP date: not what Gridvec sends; wait a second
        }
    }
}
