package io.gridvec.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Ignite's metric names as Prometheus names that promtool's lint accepts for gauges. */
class IgniteMetricsBridgeTest {

    @Test
    void namesBecomeSnakeCaseUnderIgniteAndLoseCounterSuffixes() {
        assertThat(IgniteMetricsBridge.prometheusName("cluster.TotalServerNodes"))
                .isEqualTo("ignite.cluster.total.server.nodes");
        assertThat(IgniteMetricsBridge.prometheusName("io.datastorage.WalTotalSize"))
                .isEqualTo("ignite.io.datastorage.wal.total.size");
        assertThat(IgniteMetricsBridge.prometheusName("io.communication.SentBytesCount"))
                .isEqualTo("ignite.io.communication.sent.bytes");
        assertThat(IgniteMetricsBridge.prometheusName("io.dataregion.gridvec.OffHeapSize"))
                .isEqualTo("ignite.io.dataregion.gridvec.off.heap.size");
        assertThat(IgniteMetricsBridge.prometheusName("sys.CPULoad")).isEqualTo("ignite.sys.cpu.load");
    }
}
