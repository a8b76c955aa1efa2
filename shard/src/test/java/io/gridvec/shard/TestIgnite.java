package io.gridvec.shard;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/** The configuration of a single persistent test node on free loopback ports, with its work directory under dir. */
public final class TestIgnite {

    private TestIgnite() {}

    /** Returns the configuration of node {@code name}; start it with {@code Ignition.start} and activate it. */
    public static IgniteConfiguration configuration(Path dir, String name) {
        // Ignite binds the first free port of each range itself, so no port is picked here and taken by another
        // process before the node binds it. The ranges sit below Linux's ephemeral ports (32768 and up), which
        // outgoing connections use.
        int base = 20_000 + ThreadLocalRandom.current().nextInt(50) * 200;
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of("127.0.0.1:" + base + ".." + (base + 99)));
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalPort(base + 100);
        communication.setLocalPortRange(100);
        return new IgniteConfiguration()
                .setIgniteInstanceName(name)
                .setConsistentId(name)
                .setWorkDirectory(dir.resolve(name).toString())
                .setLocalHost("127.0.0.1")
                .setDiscoverySpi(new TcpDiscoverySpi().setIpFinder(finder).setLocalPort(base).setLocalPortRange(100))
                .setCommunicationSpi(communication)
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null)
                .setPeerClassLoadingEnabled(false)
                .setDataStorageConfiguration(new DataStorageConfiguration()
                        .setWalSegmentSize(1024 * 1024)
                        .setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                                .setPersistenceEnabled(true).setMaxSize(128L * 1024 * 1024)));
    }
}
