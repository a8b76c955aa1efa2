package io.gridvec.router.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.ignite.spi.metric.BooleanMetric;
import org.apache.ignite.spi.metric.DoubleMetric;
import org.apache.ignite.spi.metric.IntMetric;
import org.apache.ignite.spi.metric.LongMetric;
import org.apache.ignite.spi.metric.Metric;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;

/**
 * Ignite's own metrics as Prometheus gauges {@code ignite_<registry>_<metric>} (in snake case), read when
 * {@code /metrics} is scraped: every numeric and boolean metric of the registries an operator of Gridvec needs (the
 * cluster's membership, partition map exchanges, persistence, the data region, compute jobs, communication). New
 * metrics are registered at the scrape that first sees them. Thread-safe.
 */
final class IgniteMetricsBridge {

    /** The bridged registries. */
    static final List<String> REGISTRIES = List.of("cluster", "pme", "io.datastorage", "io.dataregion.gridvec",
            "compute.jobs", "io.communication");

    private final MeterRegistry meters;
    private final Supplier<Iterable<ReadOnlyMetricRegistry>> source;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    /** Bridges the metrics {@code source} holds (empty until Ignite handed them out) into {@code meters}. */
    IgniteMetricsBridge(MeterRegistry meters, Supplier<Iterable<ReadOnlyMetricRegistry>> source) {
        this.meters = meters;
        this.source = source;
    }

    /** Registers a gauge for every bridged metric not seen before. */
    void refresh() {
        for (ReadOnlyMetricRegistry registry : source.get()) {
            if (!REGISTRIES.contains(registry.name())) {
                continue;
            }
            for (Metric metric : registry) {
                if (number(metric) != null && registered.add(metric.name())) {
                    String registryName = registry.name();
                    // Ignite names a metric in full (registry.Metric) but finds it by its short name.
                    String metricName = metric.name().startsWith(registryName + ".")
                            ? metric.name().substring(registryName.length() + 1) : metric.name();
                    Gauge.builder(prometheusName(registryName + "." + metricName),
                                    () -> current(registryName, metricName))
                            .description(metric.description() == null ? metricName : metric.description())
                            .register(meters);
                }
            }
        }
    }

    /** The metric's current value, or NaN once it is gone. */
    private Number current(String registryName, String metricName) {
        for (ReadOnlyMetricRegistry registry : source.get()) {
            if (registry.name().equals(registryName)) {
                Number value = number(registry.findMetric(metricName));
                return value == null ? Double.NaN : value;
            }
        }
        return Double.NaN;
    }

    private static Number number(Metric metric) {
        if (metric instanceof LongMetric value) {
            return value.value();
        }
        if (metric instanceof IntMetric value) {
            return value.value();
        }
        if (metric instanceof DoubleMetric value) {
            return value.value();
        }
        if (metric instanceof BooleanMetric value) {
            return value.value() ? 1 : 0;
        }
        return null;
    }

    /**
     * {@code io.datastorage.WalTotalSize} becomes {@code ignite.io.datastorage.wal.total.size} (Micrometer's
     * Prometheus naming then makes it {@code ignite_io_datastorage_wal_total_size}). A last word that Prometheus
     * keeps for counters and histograms ({@code count}, {@code sum}, {@code bucket}, {@code total}) is dropped:
     * these are gauges ({@code io.communication.SentBytesCount} becomes {@code ignite_io_communication_sent_bytes}).
     */
    static String prometheusName(String igniteName) {
        String snake = igniteName.replaceAll("([a-z0-9])([A-Z])", "$1.$2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1.$2")
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", ".");
        return "ignite." + snake.replaceFirst("\\.(count|sum|bucket|total)$", "");
    }
}
