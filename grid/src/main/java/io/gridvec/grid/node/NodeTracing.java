package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * A node process's traces: with {@code tracing.exporter: otlp}, OpenTelemetry's SDK becomes the process's global
 * instance, sending spans in batches over OTLP/HTTP to {@code tracing.endpoint}, with W3C trace context propagation
 * and the node's name as {@code service.instance.id}. With {@code none} (the default) nothing is installed and every
 * span is a no-op. Configured by {@code gridvec start}.
 */
public final class NodeTracing {

    private static volatile OpenTelemetrySdk sdk;

    private NodeTracing() {}

    /** Installs the SDK as {@code config}'s {@code tracing} section says (nothing for {@code none}). */
    public static synchronized void configure(GridvecConfig config) {
        GridvecConfig.Tracing tracing = config.tracing();
        if (tracing.exporter().equals("none") || sdk != null) {
            return;
        }
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "gridvec",
                AttributeKey.stringKey("service.instance.id"), config.node().name())));
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource)
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(tracing.sampleRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                        .setEndpoint(tracing.endpoint()).build()).build())
                .build();
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        GlobalOpenTelemetry.set(sdk);
    }

    /** Sends the spans still buffered and stops the exporter: the node's stop calls it after the node stopped. */
    public static void shutdown() {
        OpenTelemetrySdk installed = sdk;
        if (installed != null) {
            installed.close();
        }
    }
}
