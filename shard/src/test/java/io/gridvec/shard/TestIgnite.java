package io.gridvec.shard;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
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
    public static IgniteConfiguration configuration(Path dir, String name) throws IOException {
        int[] ports = freePorts(2);
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(List.of("127.0.0.1:" + ports[0]));
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalPort(ports[1]);
        communication.setLocalPortRange(0);
        return new IgniteConfiguration()
                .setIgniteInstanceName(name)
                .setConsistentId(name)
                .setWorkDirectory(dir.resolve(name).toString())
                .setLocalHost("127.0.0.1")
                .setDiscoverySpi(new TcpDiscoverySpi().setIpFinder(finder).setLocalPort(ports[0]).setLocalPortRange(0))
                .setCommunicationSpi(communication)
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null)
                .setPeerClassLoadingEnabled(false)
                .setDataStorageConfiguration(new DataStorageConfiguration()
                        .setWalSegmentSize(1024 * 1024)
                        .setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                                .setPersistenceEnabled(true).setMaxSize(128L * 1024 * 1024)));
    }

    private static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }
}
