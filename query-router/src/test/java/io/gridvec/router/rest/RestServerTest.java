package io.gridvec.router.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server over real HTTP on loopback: health, and the JSON error envelope for every kind of failure. */
class RestServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static RestServer server;

    @BeforeAll
    static void start() {
        server = RestServer.start("127.0.0.1", 0, List.of(routes -> {
            routes.get("/refused", ctx -> {
                throw ApiException.invalid("k", "k must be in [1, 10000], was 0");
            }, Permission.READ);
            routes.post("/echo-length", ctx -> ctx.result(String.valueOf(ctx.body().length())), Permission.WRITE);
            routes.get("/broken", ctx -> {
                throw new IllegalStateException("secret internal detail");
            }, Permission.READ);
        }), (ctx, millis) -> { });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRouteThatDeclaresNoPermissionStopsTheServerFromStarting() {
        assertThatThrownBy(() -> RestServer.start("127.0.0.1", 0, List.of(routes -> routes.get("/open",
                ctx -> ctx.result("anyone"))), (ctx, millis) -> { }))
                .hasMessageContaining("GET /open must declare exactly one Permission");
        assertThat(server.permissions()).containsEntry("GET /health", Permission.PUBLIC)
                .containsEntry("POST /echo-length", Permission.WRITE);
    }

    @Test
    void healthAnswersUpWithARequestId() throws Exception {
        HttpResponse<String> response = get("/health", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("UP");
        assertThat(response.headers().firstValue(RestServer.REQUEST_ID)).isPresent();
    }

    @Test
    void healthReportsThisProcesssHeapAndResidentSet() throws Exception {
        JsonNode process = JSON.readTree(get("/health", null).body()).path("process");
        assertThat(process.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        long used = process.path("heapUsedBytes").asLong();
        assertThat(used).isPositive().isLessThanOrEqualTo(process.path("heapCommittedBytes").asLong());
        assertThat(process.path("heapMaxBytes").asLong()).isGreaterThanOrEqualTo(used);
        // The resident set holds at least the used heap's touched pages; read independently of the server's parse.
        long rssKb = Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))
                .stream().filter(line -> line.startsWith("VmRSS:")).findFirst().orElseThrow()
                .replaceAll("[^0-9]", ""));
        assertThat(process.path("rssBytes").asLong()).isBetween(rssKb * 1024 / 2, rssKb * 1024 * 2);
    }

    @Test
    void aBodyOverTheLimitIsA413JsonError() throws Exception {
        byte[] body = new byte[(int) RestServer.MAX_REQUEST_BYTES + 1];
        java.util.Arrays.fill(body, (byte) ' ');
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + "/echo-length")).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("TOO_LARGE");
        assertThat(error.path("message").asText()).contains(String.valueOf(RestServer.MAX_REQUEST_BYTES));
    }

    @Test
    void aClientRequestIdIsEchoed() throws Exception {
        assertThat(get("/health", "abc-123").headers().firstValue(RestServer.REQUEST_ID)).hasValue("abc-123");
    }

    @Test
    void unknownRouteIsA404JsonError() throws Exception {
        HttpResponse<String> response = get("/v1/nope", null);
        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(error.path("message").asText()).isEqualTo("no endpoint GET /v1/nope");
    }

    @Test
    void refusedRequestNamesTheFieldAndTheLimit() throws Exception {
        HttpResponse<String> response = get("/refused", null);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.path("field").asText()).isEqualTo("k");
        assertThat(error.path("message").asText()).isEqualTo("k must be in [1, 10000], was 0");
    }

    @Test
    void unexpectedFailureIsA500WithTheRequestIdAndNoInternals() throws Exception {
        HttpResponse<String> response = get("/broken", "req-42");
        assertThat(response.statusCode()).isEqualTo(500);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("INTERNAL");
        assertThat(error.path("message").asText()).isEqualTo("internal error; request id req-42");
        assertThat(response.body()).doesNotContain("secret", "Exception", "at io.");
    }

    @Test
    void aPathJettyRefusesIsA400JsonErrorThatClosesTheConnection() throws Exception {
        String answer = raw("POST /echo%00length HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("application/json").contains("Connection: close")
                .contains("{\"error\":{\"code\":\"INVALID_ARGUMENT\"").doesNotContain("<html");
    }

    @Test
    void aBodyOnAGetIsRefused() throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + "/health")).method("GET", HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("message").asText())
                .isEqualTo("a GET request takes no body, had 2 characters");
    }

    private static String raw(String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> get(String path, String requestId) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + path)).GET();
        if (requestId != null) {
            request.header(RestServer.REQUEST_ID, requestId);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
