package io.gridvec.shard.trace;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Gridvec's spans, through OpenTelemetry's global instance: a no-op (nothing recorded, next to no cost) unless the
 * node installed an SDK ({@code tracing.exporter}, docs/operations.md). The trace context travels between nodes as
 * W3C {@code traceparent} headers in a map that compute jobs carry. Stateless.
 */
public final class Tracing {

    /** The span attribute naming the node that recorded a span. */
    public static final String NODE = "gridvec.node";

    private static final TextMapGetter<Map<String, String>> FROM_MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private Tracing() {}

    /** Returns Gridvec's tracer (looked up each time: tests install an SDK after nodes started). */
    public static Tracer tracer() {
        return GlobalOpenTelemetry.getTracer("io.gridvec");
    }

    /** Returns the current trace context as W3C headers, for a job that runs on another node; empty without one. */
    public static HashMap<String, String> carrier() {
        HashMap<String, String> carrier = new HashMap<>();
        GlobalOpenTelemetry.getPropagators().getTextMapPropagator().inject(Context.current(), carrier,
                (map, key, value) -> map.put(key, value));
        return carrier;
    }

    /** Returns the trace context {@code headers} carry (W3C {@code traceparent}), or the current one without it. */
    public static Context extract(Map<String, String> headers) {
        return GlobalOpenTelemetry.getPropagators().getTextMapPropagator().extract(Context.current(), headers,
                FROM_MAP);
    }

    /**
     * Runs {@code work} in a span named {@code name}, a child of {@code parent}, recorded by {@code node}; a failure
     * is recorded on the span and thrown on.
     */
    public static <T> T inSpan(String name, Context parent, String node, Supplier<T> work) {
        Span span = tracer().spanBuilder(name).setParent(parent).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(NODE, node).startSpan();
        try (var scope = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }
}
