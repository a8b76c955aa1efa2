package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.shard.trace.Tracing;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces of a search: on three in-process nodes with OpenTelemetry's SDK installed, one search sent with a W3C
 * {@code traceparent} is one trace (the REST request, each node's job, each shard) spanning every node it touched;
 * and a node process with {@code tracing.exporter: otlp} sends that trace over OTLP/HTTP to a collector (here a
 * plain HTTP server of the test).
 */
class TracingIT {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN_ID = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01";
    private static final int PARTITIONS = 12;

    @TempDir
    Path dataDir;

    @Test
    void oneSearchIsOneTraceOverEveryNodeItTouched() throws Exception {
        InMemorySpanExporter exported = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        GlobalOpenTelemetry.resetForTest();
        GlobalOpenTelemetry.set(sdk);
        GridNode[] nodes = new GridNode[3];
        try {
            GridvecConfig first = TestNodes.config(dataDir, "t0", 3);
            for (int i = 0; i < 3; i++) {
                nodes[i] = GridNode.start(i == 0 ? first
                        : TestNodes.joining(TestNodes.config(dataDir, "t" + i, 3), first));
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nodes[0].ignite().cluster().state()
                    .active());
            assertThat(TestNodes.http(nodes[0], "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": "
                    + "\"l2\", \"partitions\": " + PARTITIONS + ", \"backups\": 0}").statusCode()).isEqualTo(201);
            StringBuilder records = new StringBuilder("{\"records\": [");
            for (int i = 0; i < 60; i++) {
                records.append(i == 0 ? "" : ",").append("{\"id\": \"r").append(i).append("\", \"vector\": [")
                        .append(i).append(", 1]}");
            }
            assertThat(TestNodes.http(nodes[1], "PUT", "/v1/collections/docs/records", records + "]}").statusCode())
                    .isEqualTo(200);
            for (GridNode node : nodes) {
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> TestNodes.http(node, "GET", "/ready", null).statusCode() == 200);
            }
            exported.reset();

            HttpResponse<String> search = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + nodes[0].restPort() + "/v1/collections/docs/search"))
                    .header("traceparent", TRACEPARENT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"vector\": [3, 1], \"k\": 3, \"cache\": false}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
            // The request's own span ends after its answer was sent.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans(exported).stream()
                    .anyMatch(span -> span.getKind() == SpanKind.SERVER));

            List<SpanData> trace = spans(exported);
            SpanData request = trace.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst()
                    .orElseThrow();
            assertThat(request.getName()).isEqualTo("POST /v1/collections/{name}/search");
            assertThat(request.getParentSpanId()).as("the client's span").isEqualTo(CLIENT_SPAN_ID);
            List<SpanData> jobs = trace.stream().filter(span -> span.getName().equals("search job")).toList();
            assertThat(jobs).allSatisfy(job -> assertThat(job.getParentSpanId()).isEqualTo(request.getSpanId()));
            Set<String> nodesTouched = jobs.stream().map(job -> job.getAttributes().get(
                    AttributeKey.stringKey(Tracing.NODE))).collect(Collectors.toSet());
            assertThat(nodesTouched).as("every node owns some of the partitions").containsExactlyInAnyOrder(
                    "t0", "t1", "t2");
            Set<String> jobIds = jobs.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
            List<SpanData> shards = trace.stream().filter(span -> span.getName().startsWith("shard search "))
                    .toList();
            assertThat(shards).allSatisfy(shard -> assertThat(jobIds).contains(shard.getParentSpanId()));
            assertThat(shards.stream().map(SpanData::getName).collect(Collectors.toSet())).isEqualTo(
                    IntStream.range(0, PARTITIONS).mapToObj(p -> "shard search docs/" + p)
                            .collect(Collectors.toSet()));
        } finally {
            TestNodes.stopAll(nodes);
            GlobalOpenTelemetry.resetForTest();
            sdk.close();
        }
    }

    @Test
    void aNodeProcessSendsItsSpansOverOtlp() throws Exception {
        List<byte[]> posts = new CopyOnWriteArrayList<>();
        List<String> types = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body);
            posts.add(body.toByteArray());
            types.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try (NodeProcesses nodes = new NodeProcesses(dataDir, 1, "LOG_ONLY", "tracing: {exporter: otlp, endpoint: "
                + "\"http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces\"}")) {
            nodes.startAll(Duration.ofSeconds(120));
            assertThat(nodes.http(0, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\"}")
                    .statusCode()).isEqualTo(201);
            HttpResponse<String> search = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    nodes.url(0) + "/v1/collections/docs/search")).header("traceparent", TRACEPARENT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"vector\": [3, 1]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
            // The batch processor sends every few seconds; the graceful stop sends what is left.
            nodes.stop(0);
            byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> posts.stream()
                    .anyMatch(body -> contains(body, traceId)));
            assertThat(types).allSatisfy(type -> assertThat(type).startsWith("application/x-protobuf"));
        } finally {
            collector.stop(0);
        }
    }

    /** The spans of the test's trace (nodes also trace their own health probes, each in a trace of its own). */
    private static List<SpanData> spans(InMemorySpanExporter exported) {
        return exported.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(TRACE_ID)).toList();
    }

    private static boolean contains(byte[] body, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= body.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (body[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
