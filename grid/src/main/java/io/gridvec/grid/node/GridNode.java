package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.router.cluster.ClusterRoutes;
import io.gridvec.router.cluster.ClusterView;
import io.gridvec.router.collections.CollectionRoutes;
import io.gridvec.router.records.RecordRoutes;
import io.gridvec.router.search.SearchRouter;
import io.gridvec.router.search.SearchRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.lag.IndexLag;
import io.gridvec.shard.lag.LagBoard;
import io.gridvec.shard.registry.ShardRegistry;
import io.gridvec.shard.record.RecordStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.ShutdownPolicy;
import org.apache.ignite.cluster.ClusterState;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.WALMode;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/**
 * One Gridvec server node: an Ignite server with native persistence, configured in Java from a
 * {@link GridvecConfig}, and the REST server in front of it. Thread-safe; {@link #close()} stops the REST server,
 * then Ignite gracefully (it waits while it holds the last copy of a partition).
 *
 * <p>A fresh cluster (never activated) is activated by the node that sees {@code cluster.initialNodes} server nodes
 * and that topology becomes the baseline; after that, Ignite itself reactivates the cluster when the baseline nodes
 * return, so restarts keep the same data placement.
 */
public final class GridNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GridNode.class.getName());

    private final GridvecConfig config;
    private final Ignite ignite;
    private final ShardRegistry shards;
    private final LagBoard lagBoard;
    private RestServer rest;
    private SearchRouter router;

    private GridNode(GridvecConfig config, Ignite ignite, ShardRegistry shards, LagBoard lagBoard) {
        this.config = config;
        this.ignite = ignite;
        this.shards = shards;
        this.lagBoard = lagBoard;
    }

    /**
     * Starts the node and, on a fresh cluster that has reached {@code cluster.initialNodes} servers, activates it;
     * then starts the REST server. A failure after Ignite started stops Ignite again.
     *
     * @throws org.apache.ignite.IgniteException when Ignite cannot start (a port in use, an unreadable work directory)
     * @throws RuntimeException when the REST address cannot be bound
     */
    public static GridNode start(GridvecConfig config) {
        return start(config, UnaryOperator.identity());
    }

    /** Starts a node whose Ignite configuration {@code adjust} changes first; tests slow down rebalancing with it. */
    static GridNode start(GridvecConfig config, UnaryOperator<IgniteConfiguration> adjust) {
        GridvecConfig.Ingest ingest = config.ingest();
        IndexLag lag = new IndexLag(ingest.maxIndexLagRecords(), ingest.maxIndexLagMb() * 1024L * 1024L);
        ShardRegistry shards = new ShardRegistry(Path.of(config.node().dataDir()).toAbsolutePath().normalize()
                .resolve("shards"), lag);
        LagBoard lagBoard = new LagBoard(lag, ingest.maxWaitMs());
        IgniteConfiguration igniteConfiguration = adjust.apply(igniteConfiguration(config));
        shards.configure(igniteConfiguration);
        Ignite ignite = Ignition.start(igniteConfiguration);
        GridNode node = new GridNode(config, ignite, shards, lagBoard);
        try {
            shards.start(ignite);
            lagBoard.start(ignite);
            node.activateFreshCluster();
            CollectionCatalog catalog = new CollectionCatalog(ignite);
            ClusterView cluster = new ClusterView(ignite);
            SearchRouter router = new SearchRouter(ignite, catalog, config.search().timeoutMs(),
                    config.search().hedgeDelayMs());
            node.router = router;
            node.rest = RestServer.start(config.rest().host(), config.rest().port(), List.of(
                    new CollectionRoutes(catalog, cluster),
                    new RecordRoutes(catalog, new RecordStore(ignite), lagBoard),
                    new SearchRoutes(catalog, router),
                    new ClusterRoutes(catalog, cluster, shards)));
        } catch (RuntimeException e) {
            try {
                node.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return node;
    }

    /** Returns the port the REST API listens on. */
    public int restPort() {
        return rest.port();
    }

    /** Returns every REST endpoint the node serves, as {@code "METHOD /path"}. */
    public List<String> restEndpoints() {
        return rest.endpoints();
    }

    /** Returns the Ignite server behind this node. */
    public Ignite ignite() {
        return ignite;
    }

    /** Returns the configuration the node runs with. */
    public GridvecConfig config() {
        return config;
    }

    private void activateFreshCluster() {
        var cluster = ignite.cluster();
        // The policy is a cluster-wide setting; close() lowers it when the last server stops, so every start restores it.
        cluster.shutdownPolicy(ShutdownPolicy.GRACEFUL);
        if (cluster.state() != ClusterState.INACTIVE || cluster.currentBaselineTopology() != null) {
            return;
        }
        int servers = cluster.forServers().nodes().size();
        if (servers < config.cluster().initialNodes()) {
            LOG.log(System.Logger.Level.INFO, "Fresh cluster has " + servers + " of "
                    + config.cluster().initialNodes() + " initial server nodes; waiting for the rest to activate");
            return;
        }
        cluster.baselineAutoAdjustEnabled(false);
        cluster.state(ClusterState.ACTIVE);
        cluster.setBaselineTopology(cluster.topologyVersion());
        LOG.log(System.Logger.Level.INFO, "Activated the fresh cluster with a baseline of " + servers + " node(s)");
    }

    static IgniteConfiguration igniteConfiguration(GridvecConfig config) {
        GridvecConfig.Cluster cluster = config.cluster();
        GridvecConfig.Storage storage = config.storage();
        Path dataDir = Path.of(config.node().dataDir()).toAbsolutePath().normalize();

        TcpDiscoveryVmIpFinder ipFinder = new TcpDiscoveryVmIpFinder();
        ipFinder.setAddresses(discoveryAddresses(cluster));
        TcpDiscoverySpi discovery = new TcpDiscoverySpi()
                .setIpFinder(ipFinder)
                .setLocalPort(cluster.discoveryPort())
                .setLocalPortRange(0);
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        communication.setLocalPort(cluster.communicationPort());
        communication.setLocalPortRange(0);

        DataStorageConfiguration dataStorage = new DataStorageConfiguration()
                .setWalMode(WALMode.valueOf(storage.walMode()))
                .setWalSegmentSize(storage.walSegmentMb() * 1024 * 1024)
                .setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                        .setName("gridvec")
                        .setPersistenceEnabled(true)
                        .setMaxSize(storage.dataRegionMb() * 1024L * 1024L));

        return new IgniteConfiguration()
                .setIgniteInstanceName(config.node().name())
                .setConsistentId(config.node().name())
                .setWorkDirectory(dataDir.resolve("ignite").toString())
                .setLocalHost(cluster.host())
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(communication)
                .setClientConnectorConfiguration(new ClientConnectorConfiguration()
                        .setHost(cluster.host())
                        .setPort(cluster.clientPort())
                        .setPortRange(0))
                // The legacy REST/memcached connector (port 11211) is not part of Gridvec's surface.
                .setConnectorConfiguration(null)
                .setDataStorageConfiguration(dataStorage)
                .setShutdownPolicy(ShutdownPolicy.GRACEFUL)
                .setPeerClassLoadingEnabled(false);
    }

    /** The seeds, plus this node's own discovery address so a lone node always finds itself. */
    private static List<String> discoveryAddresses(GridvecConfig.Cluster cluster) {
        List<String> addresses = new ArrayList<>(cluster.seeds());
        addresses.add(cluster.host() + ":" + cluster.discoveryPort());
        return addresses;
    }

    /**
     * Stops the node gracefully: in-flight work completes and, while other servers run, the node waits until none of
     * its partitions would lose its last copy. The last server stops at once instead: no other node could take its
     * partitions (a graceful stop would wait forever), and its data is already on disk.
     */
    @Override
    public void close() {
        // Every step runs even when one before it failed: above all, Ignite is always stopped.
        Shutdown.runAll(
                () -> {
                    if (rest != null) {
                        rest.close();
                    }
                },
                () -> {
                    if (router != null) {
                        router.close();
                    }
                },
                lagBoard::close,
                shards::close,
                () -> {
                    if (ignite.cluster().forServers().nodes().size() == 1) {
                        ignite.cluster().shutdownPolicy(ShutdownPolicy.IMMEDIATE);
                    }
                },
                () -> Ignition.stop(config.node().name(), false));
    }
}
