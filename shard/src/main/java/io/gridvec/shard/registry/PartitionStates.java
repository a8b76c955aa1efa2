package io.gridvec.shard.registry;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.ignite.spi.IgniteSpiAdapter;
import org.apache.ignite.spi.IgniteSpiMultipleInstancesSupport;
import org.apache.ignite.spi.metric.LongMetric;
import org.apache.ignite.spi.metric.MetricExporterSpi;
import org.apache.ignite.spi.metric.ObjectMetric;
import org.apache.ignite.spi.metric.ReadOnlyMetricManager;
import org.apache.ignite.spi.metric.ReadOnlyMetricRegistry;

/**
 * Which partitions of a cache this node holds in state OWNING (fully loaded, not MOVING while rebalancing fills
 * them), and how many copies are MOVING cluster-wide, read from Ignite's cache-group metrics
 * ({@code cacheGroups.<cache>}, metrics {@code OwningPartitionsAllocationMap} and
 * {@code MovingPartitionsAllocationMap}). Ignite's public API has no other way to ask; a metric exporter SPI is how
 * Ignite hands its metrics out, so this class is one that exports nothing. Thread-safe.
 */
@IgniteSpiMultipleInstancesSupport(true)
final class PartitionStates extends IgniteSpiAdapter implements MetricExporterSpi {

    private static final String OWNING = "OwningPartitionsAllocationMap";
    private static final String MOVING = "MovingPartitionsAllocationMap";

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

    /** Returns every metric registry of this node as Ignite hands them out (none before the node started). */
    Iterable<ReadOnlyMetricRegistry> registries() {
        ReadOnlyMetricManager manager = metrics;
        return manager == null ? List.of() : manager;
    }

    /** Returns the partitions of {@code cacheName} that node {@code node} holds in state OWNING (empty if unknown). */
    Set<Integer> owning(String cacheName, UUID node) {
        return partitionsOf(allocation(cacheName, OWNING), node.toString());
    }

    /** Returns the partitions of {@code cacheName} that node {@code node} holds in state MOVING (being filled). */
    Set<Integer> moving(String cacheName, UUID node) {
        return partitionsOf(allocation(cacheName, MOVING), node.toString());
    }

    /** Returns how many partition copies of {@code cacheName} are MOVING (being filled) anywhere in the cluster. */
    int moving(String cacheName) {
        return allocation(cacheName, MOVING).values().stream().mapToInt(Collection::size).sum();
    }

    /** Returns a numeric metric of the cache group of {@code cacheName} on this node, 0 when it has none. */
    long value(String cacheName, String metricName) {
        ReadOnlyMetricRegistry registry = registry(cacheName);
        return registry != null && registry.findMetric(metricName) instanceof LongMetric metric ? metric.value() : 0;
    }

    /** Per partition, the ids of the nodes holding it in the metric's state, as this node knows them. */
    private Map<Integer, ? extends Collection<String>> allocation(String cacheName, String metricName) {
        ReadOnlyMetricRegistry registry = registry(cacheName);
        ObjectMetric<Map<Integer, ? extends Collection<String>>> metric =
                registry == null ? null : registry.findMetric(metricName);
        return metric == null ? Map.of() : metric.value();
    }

    private ReadOnlyMetricRegistry registry(String cacheName) {
        ReadOnlyMetricManager manager = metrics;
        if (manager == null) {
            return null;
        }
        String registryName = "cacheGroups." + cacheName;
        for (ReadOnlyMetricRegistry registry : manager) {
            if (registry.name().equals(registryName)) {
                return registry;
            }
        }
        return null;
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
