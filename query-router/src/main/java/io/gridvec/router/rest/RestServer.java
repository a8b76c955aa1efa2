package io.gridvec.router.rest;

import io.gridvec.shard.catalog.ClusterNotReadyException;
import io.gridvec.shard.catalog.CollectionBusyException;
import io.gridvec.shard.catalog.CollectionNotFoundException;
import io.gridvec.shard.lag.IndexLagException;
import io.gridvec.shard.record.NotARecordException;
import io.gridvec.shard.record.WriteFailedException;
import io.gridvec.shard.trace.Tracing;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.RequestLogger;
import io.javalin.router.Endpoint;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.MDC;

/**
 * The node's HTTP server (Javalin on Jetty 12, one virtual thread per request): {@code GET /health} plus the routes
 * of each {@link RestRoutes} group. Every error is JSON, {@code {"error": {"code", "message", "field"}}}: refused
 * requests ({@link ApiException}) with their status, unknown routes with 404, and any other failure with 500 and a
 * request id. That 500 handler is the one broad catch of a request; it logs the failure once, with the id, and
 * never sends a stack trace. Thread-safe; {@link #drain} refuses new requests and lets those being served finish,
 * {@link #close()} stops it.
 */
public final class RestServer implements AutoCloseable {

    /** Response header carrying the request id (taken from the request when the client sent one). */
    public static final String REQUEST_ID = "X-Request-Id";

    /** The key of the request id in the log's context (a field of every JSON log line written for a request). */
    public static final String LOG_REQUEST_ID = "requestId";

    /** The key of the trace id in the log's context, when the request is traced. */
    public static final String LOG_TRACE_ID = "traceId";

    /** The largest request body: a full batch of 1,000 records of 2,048 dimensions with payloads fits. */
    public static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

    private static final System.Logger LOG = System.getLogger(RestServer.class.getName());
    private static final long DRAIN_CHECK_MS = 20;

    /** The context attribute marking a request counted in {@link Drain#inFlight}. */
    private static final String COUNTED = "gridvec.counted";
    private static final String SPAN = "gridvec.span";
    private static final String SCOPE = "gridvec.scope";

    private final Javalin app;
    private final Map<String, Permission> permissions;
    private final Drain drain;

    private RestServer(Javalin app, Map<String, Permission> permissions, Drain drain) {
        this.app = app;
        this.permissions = Collections.unmodifiableMap(new LinkedHashMap<>(permissions));
        this.drain = drain;
    }

    /** Whether the server refuses new requests, and how many it is serving. */
    private static final class Drain {
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean draining;
    }

    /**
     * Starts serving plain HTTP on {@code host:port}; see {@link #start(String, int, List, RequestLogger, SSLContext)}.
     *
     * @throws RuntimeException from Jetty when the address cannot be bound
     */
    public static RestServer start(String host, int port, List<RestRoutes> groups, RequestLogger requests) {
        return start(host, port, groups, requests, null);
    }

    /**
     * Starts serving on {@code host:port} (port 0 picks a free one), over HTTPS with {@code tls} or plain HTTP when
     * it is null; {@code requests} sees every request once it has been answered, with its time in milliseconds.
     *
     * @throws RuntimeException from Jetty when the address cannot be bound
     */
    public static RestServer start(String host, int port, List<RestRoutes> groups, RequestLogger requests,
            SSLContext tls) {
        String openApi = openApiDocument();
        Map<String, Permission> permissions = new LinkedHashMap<>();
        Drain drain = new Drain();
        Javalin app = Javalin.create(config -> {
            config.events.handlerAdded(handler -> {
                if (handler.getHttpMethod().isHttpMethod()) {
                    String endpoint = handler.getHttpMethod() + " " + handler.getPath();
                    long declared = handler.getRoles().stream().filter(Permission.class::isInstance).count();
                    if (declared != 1) {
                        // Fail closed: a route that says nothing about who may call it is not served at all.
                        throw new IllegalStateException(endpoint + " must declare exactly one Permission, declares "
                                + handler.getRoles());
                    }
                    permissions.put(endpoint, (Permission) handler.getRoles().stream()
                            .filter(Permission.class::isInstance).findFirst().orElseThrow());
                }
            });
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            if (tls != null) {
                // The only connector, so Javalin adds no plain one: HTTP sent to this port fails its TLS handshake.
                config.jetty.addConnector((server, http) -> httpsConnector(server, http, tls, host, port));
            }
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.requestLogger.http((ctx, millis) -> {
                if (ctx.attribute(COUNTED) != null) {
                    drain.inFlight.decrementAndGet();
                }
                try {
                    requests.handle(ctx, millis);
                } finally {
                    endSpan(ctx);
                    MDC.remove(LOG_REQUEST_ID);
                    MDC.remove(LOG_TRACE_ID);
                }
            });
            config.routes.before(ctx -> {
                String id = requestId(ctx);
                ctx.header(REQUEST_ID, id);
                // Every line logged on this request's thread carries its id (the JSON log's requestId).
                MDC.put(LOG_REQUEST_ID, id);
                if (drain.draining) {
                    ctx.header("Retry-After", "1");
                    throw new ApiException(503, "UNAVAILABLE", "the node is stopping; send the request to another "
                            + "node", null);
                }
                drain.inFlight.incrementAndGet();
                ctx.attribute(COUNTED, Boolean.TRUE);
                startSpan(ctx);
            });
            config.routes.before(RestServer::readBody);
            config.routes.get("/health", ctx -> json(ctx, 200, Map.of("status", "UP", "process", ProcessMemory.now())),
                    Permission.PUBLIC);
            config.routes.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi),
                    Permission.READ);
            groups.forEach(group -> group.register(config.routes));
            config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage(),
                    e.field()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> {
                // Javalin's own refusals: no such route (404), a body over the size limit (413).
                switch (e.getStatus()) {
                    case 404 -> error(ctx, 404, "NOT_FOUND", "no endpoint " + ctx.method() + " " + ctx.path(), null);
                    case 413 -> error(ctx, 413, "TOO_LARGE", "the body exceeds " + MAX_REQUEST_BYTES + " bytes", null);
                    default -> error(ctx, e.getStatus(), "INVALID_ARGUMENT", e.getMessage(), null);
                }
            });
            config.routes.exception(CollectionNotFoundException.class, (e, ctx) -> error(ctx, 404, "NOT_FOUND",
                    e.getMessage(), null));
            config.routes.exception(ClusterNotReadyException.class, (e, ctx) -> error(ctx, 503, "UNAVAILABLE",
                    e.getMessage(), null));
            config.routes.exception(CollectionBusyException.class, (e, ctx) -> {
                ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
                error(ctx, 503, "UNAVAILABLE", e.getMessage(), null);
            });
            config.routes.exception(IndexLagException.class, (e, ctx) -> {
                ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
                error(ctx, 429, "OVERLOADED", e.getMessage(), null);
            });
            config.routes.exception(NotARecordException.class, (e, ctx) -> error(ctx, 409, "CONFLICT",
                    e.getMessage(), null));
            config.routes.exception(WriteFailedException.class, (e, ctx) -> {
                // Not the client's fault: log the cause once, with the request id, and name the records.
                String id = ctx.res().getHeader(REQUEST_ID);
                LOG.log(System.Logger.Level.ERROR, "request " + id + " " + ctx.method() + " " + ctx.path() + ": "
                        + e.getMessage(), e.getCause());
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("code", "WRITE_FAILED");
                error.put("message", e.getMessage() + " (request id " + id + ")");
                error.put("notWritten", e.notWritten());
                error.put("written", e.written());
                json(ctx, 500, Map.of("error", error));
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                String id = ctx.res().getHeader(REQUEST_ID);
                LOG.log(System.Logger.Level.ERROR, "request " + id + " " + ctx.method() + " " + ctx.path()
                        + " failed", e);
                error(ctx, 500, "INTERNAL", "internal error; request id " + id, null);
            });
            config.routes.error(404, ctx -> {
                // A handler's own 404 (an ApiException) is already JSON; only Jetty's plain "not found" is replaced.
                String type = ctx.res().getContentType();
                if (type == null || !type.startsWith("application/json")) {
                    error(ctx, 404, "NOT_FOUND", "no endpoint " + ctx.method() + " " + ctx.path(), null);
                }
            });
        });
        app.start(host, port);
        return new RestServer(app, permissions, drain);
    }

    private static Connector httpsConnector(Server server, HttpConfiguration http, SSLContext tls, String host,
            int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(tls);
        HttpConfiguration https = new HttpConfiguration(http);
        // No SNI checks: clients verify the certificate's names; a node may be reached by IP or by any of its names.
        https.addCustomizer(new SecureRequestCustomizer(false, false, -1, false));
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    /** Returns the port the server listens on. */
    public int port() {
        return app.port();
    }

    /** Returns every endpoint served, as {@code "METHOD /path"} with Javalin's {@code {param}} placeholders. */
    public List<String> endpoints() {
        return List.copyOf(permissions.keySet());
    }

    /** Returns the permission each endpoint ({@code "METHOD /path"}) needs, in the order they were registered. */
    public Map<String, Permission> permissions() {
        return permissions;
    }

    private static String openApiDocument() {
        try (InputStream in = RestServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the query-router jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("openapi.json cannot be read", e);
        }
    }

    /** Writes {@code body} as JSON with {@code status}. */
    public static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(JsonBody.write(body));
    }

    private static void error(Context ctx, int status, String code, String message, String field) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (field != null) {
            error.put("field", field);
        }
        json(ctx, status, Map.of("error", error));
    }

    /**
     * Reads every body whole before the handler runs (413 over the limit): a request refused before its handler read
     * its body (an unknown collection) left part of it unread, Jetty then closed the kept-alive connection without
     * saying so, and the client's next request on it got no answer (HostileInputIT, -Dgridvec.fuzz.seed=3). GET and
     * DELETE take no body: one is refused (400), so that a request nobody understands changes nothing.
     */
    private static void readBody(Context ctx) {
        String body = ctx.body();
        if ((ctx.method() == HandlerType.GET || ctx.method() == HandlerType.DELETE) && !body.isEmpty()) {
            JsonBody.requireNone(body, "a " + ctx.method().name() + " request");
        }
    }

    private static String requestId(Context ctx) {
        String given = ctx.header(REQUEST_ID);
        return given != null && given.matches("[A-Za-z0-9._-]{1,64}") ? given : UUID.randomUUID().toString();
    }

    /**
     * Starts the request's server span, a child of the client's trace when it sent a W3C {@code traceparent}, and
     * makes it current on the request's thread (every span and log line of the request belongs to it).
     */
    private static void startSpan(Context ctx) {
        Map<String, String> headers = new HashMap<>();
        for (String name : List.of("traceparent", "tracestate")) {
            String value = ctx.header(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        Span span = Tracing.tracer().spanBuilder(ctx.method().name() + " " + ctx.path())
                .setParent(Tracing.extract(headers)).setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", ctx.method().name())
                .setAttribute("url.path", ctx.path())
                .setAttribute("gridvec.request.id", ctx.res().getHeader(REQUEST_ID))
                .startSpan();
        ctx.attribute(SPAN, span);
        ctx.attribute(SCOPE, span.makeCurrent());
        if (span.getSpanContext().isValid()) {
            MDC.put(LOG_TRACE_ID, span.getSpanContext().getTraceId());
        }
    }

    /** Ends the request's span, named after its route, with its status. */
    private static void endSpan(Context ctx) {
        Span span = ctx.attribute(SPAN);
        Scope scope = ctx.attribute(SCOPE);
        if (span == null) {
            return;
        }
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        if (endpoint != null) {
            span.updateName(ctx.method().name() + " " + endpoint.path);
        }
        span.setAttribute("http.response.status_code", ctx.statusCode());
        if (ctx.statusCode() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
        if (scope != null) {
            scope.close();
        }
    }

    /**
     * Refuses new requests from now on (503 {@code UNAVAILABLE} with {@code Retry-After}) and waits up to
     * {@code timeoutMs} for the requests being served to finish.
     *
     * @return how many requests were still being served when the wait ended (0: all finished)
     */
    public int drain(long timeoutMs) throws InterruptedException {
        drain.draining = true;
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (drain.inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(DRAIN_CHECK_MS);
        }
        return drain.inFlight.get();
    }

    /** Stops the server; requests still being served are cut off (call {@link #drain} first to let them end). */
    @Override
    public void close() {
        app.stop();
    }
}
