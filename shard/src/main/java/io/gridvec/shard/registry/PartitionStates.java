package io.gridvec.shard.registry;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.ignite.spi.IgniteSpiAdapter;
import org.apache.ignite.spi.IgniteSpiMultipleInstancesSupport;
import org.apache.ignite.spi.metric.MetricExporterSpi;
import org.apache.ignite.spi.metric.ObjectMetric;
import org.apache.ignite.spi.metric.ReadOnlyMetricManager;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;

/**
 * Which partitions of a cache this node holds in state OWNING (fully loaded, not MOVING while rebalancing fills
 * them), read from Ignite's cache-group metrics ({@code cacheGroups.<cache>}, metric
 * {@code OwningPartitionsAllocationMap}). Ignite's public API has no other way to ask; a metric exporter SPI is how
 * Ignite hands its metrics out, so this class is one that exports nothing. Thread-safe.
 */
@IgniteSpiMultipleInstancesSupport(true)
final class PartitionStates extends IgniteSpiAdapter implements MetricExporterSpi {

    private static final String OWNING = "OwningPartitionsAllocationMap";

    private volatile ReadOnlyMetricManager metrics;

    @Override
    public void setMetricRegistry(ReadOnlyMetricManager registry) {
        this.metrics = registry;
    }

    @Override
    public void setExportFilter(Predicate<ReadOnlyMetricRegistry> filter) {
        // Nothing is exported.
    }

    @Override
    public void spiStart(String igniteInstanceName) {
        // Nothing to start: metrics are read on demand.
    }

    @Override
    public void spiStop() {
        // Nothing to stop.
    }

    /** Returns the partitions of {@code cacheName} that node {@code node} holds in state OWNING (empty if unknown). */
    Set<Integer> owning(String cacheName, UUID node) {
        ReadOnlyMetricManager manager = metrics;
        if (manager == null) {
            return Set.of();
        }
        String registryName = "cacheGroups." + cacheName;
        for (ReadOnlyMetricRegistry registry : manager) {
            if (registry.name().equals(registryName)) {
                ObjectMetric<Map<Integer, ? extends Collection<String>>> metric = registry.findMetric(OWNING);
                return metric == null ? Set.of() : partitionsOf(metric.value(), node.toString());
            }
        }
        return Set.of();
    }

    private static Set<Integer> partitionsOf(Map<Integer, ? extends Collection<String>> owners, String node) {
        Set<Integer> partitions = new HashSet<>();
        owners.forEach((partition, nodes) -> {
            if (nodes.contains(node)) {
                partitions.add(partition);
            }
        });
        return partitions;
    }
}
