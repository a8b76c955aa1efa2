package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.grid.config.NetworkCheck;
import io.gridvec.grid.tls.NodeTls;
import io.gridvec.grid.tls.TlsException;
import io.gridvec.router.cluster.ClusterRoutes;
import io.gridvec.router.cluster.ClusterView;
import io.gridvec.router.cluster.Membership;
import io.gridvec.router.collections.CollectionRoutes;
import io.gridvec.router.records.RecordRoutes;
import io.gridvec.router.metrics.NodeMetrics;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.RestServer;
import io.gridvec.router.security.AccessControl;
import io.gridvec.router.security.ApiKeys;
import io.gridvec.router.security.AuditLog;
import io.gridvec.router.security.KeyRoutes;
import io.gridvec.router.security.Role;
import io.gridvec.router.search.RecallEstimator;
import io.gridvec.router.search.SearchRouter;
import io.gridvec.router.search.SearchRoutes;
import io.gridvec.router.snapshots.SnapshotRoutes;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.Snapshots;
import io.gridvec.shard.lag.IndexLag;
import io.gridvec.shard.lag.LagBoard;
import io.gridvec.shard.record.RecordStore;
import io.gridvec.shard.registry.ShardRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.Ignition;
import org.apache.ignite.ShutdownPolicy;
import org.apache.ignite.calcite.CalciteQueryEngineConfiguration;
import org.apache.ignite.configuration.ClientConnectorConfiguration;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.SqlConfiguration;
import org.apache.ignite.configuration.WALMode;
import org.apache.ignite.internal.IgnitionEx;
import org.apache.ignite.lang.IgniteBiPredicate;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;

/**
 * One Gridvec server node: an Ignite server with native persistence, configured in Java from a
 * {@link GridvecConfig}, and the REST server in front of it. Thread-safe.
 *
 * <p>A fresh cluster is activated by its oldest server once {@code cluster.initialNodes} servers have joined
 * ({@link ClusterFormation}), and that topology becomes the baseline; after that, Ignite itself reactivates the
 * cluster when the baseline nodes return, so restarts keep the same data placement. A node joins only a cluster of
 * the same {@code cluster.name} ({@link ClusterNameCheck}).
 *
 * <p>{@link #close()} stops the node: it tells the other nodes first (their searches stop asking it), refuses new
 * requests and lets those being served finish (within {@code rest.drainTimeoutMs}), then stops the REST server, its
 * shards and Ignite, gracefully while another node can take over its partitions (within
 * {@code cluster.stopTimeoutMs}).
 */
public final class GridNode implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(GridNode.class.getName());
    private static final long ANNOUNCE_WAIT_MS = 1_000;
    private static final long STOP_CHECK_MS = 250;
    private static final long STOP_REQUEST_DELAY_MS = 300;
    /** How long a node that completes the initial set waits for the oldest node to activate the cluster. */
    private static final Duration ACTIVATION_WAIT = Duration.ofSeconds(30);

    private final GridvecConfig config;
    private final Ignite ignite;
    private final ShardRegistry shards;
    private final LagBoard lagBoard;
    private final ClusterFormation formation;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final IgniteBiPredicate<UUID, Object> stopListener;
    private volatile Runnable onStopRequest;
    private RestServer rest;
    private SearchRouter router;
    private RecallEstimator recall;
    private NodeMetrics metrics;

    private GridNode(GridvecConfig config, Ignite ignite, ShardRegistry shards, LagBoard lagBoard) {
        this.config = config;
        this.ignite = ignite;
        this.shards = shards;
        this.lagBoard = lagBoard;
        this.formation = new ClusterFormation(ignite, config.cluster().initialNodes(), addCommand(config),
                config.security().enabled() ? () -> secureCluster(ignite, config) : () -> { });
        this.onStopRequest = this::close;
        this.stopListener = (sender, asker) -> {
            LOG.log(System.Logger.Level.INFO, "Stopping: node " + asker + " asked (POST /v1/cluster/stop, POST "
                    + "/v1/node/stop or DELETE /v1/cluster/baseline/{node})");
            Thread.ofPlatform().name("gridvec-stop").start(() -> {
                try {
                    // The node that was asked over HTTP answers its request before its REST server stops.
                    Thread.sleep(STOP_REQUEST_DELAY_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                onStopRequest.run();
            });
            return false;
        };
    }

    /**
     * Starts the node and, on a fresh cluster that has reached {@code cluster.initialNodes} servers, activates it (or
     * waits a little for the oldest node to); then starts the REST server. A failure after Ignite started stops
     * Ignite again.
     *
     * @throws org.apache.ignite.IgniteException when Ignite cannot start (a port in use, an unreadable work directory,
     *     a cluster of another name at the seeds)
     * @throws TlsException when a TLS file named in the {@code tls} section cannot be used (checked before Ignite
     *     starts)
     * @throws IllegalStateException when {@code security.clientPassword} cannot be made the password of Ignite's user
     *     {@code ignite} (the cluster keeps another one)
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
        // Read the TLS files before anything starts: a bad one stops the start with a message naming its key.
        SSLContext tls = config.tls().rest() || config.tls().cluster() ? NodeTls.sslContext(config.tls()) : null;
        IgniteConfiguration igniteConfiguration = adjust.apply(igniteConfiguration(config));
        shards.configure(igniteConfiguration);
        Ignite ignite = Ignition.start(igniteConfiguration);
        GridNode node = new GridNode(config, ignite, shards, lagBoard);
        try {
            shards.start(ignite);
            lagBoard.start(ignite);
            // The policy is a cluster-wide setting that tests lower to stop a whole in-JVM cluster; every start
            // restores it.
            ignite.cluster().shutdownPolicy(ShutdownPolicy.GRACEFUL);
            node.formation.start(ACTIVATION_WAIT);
            CollectionCatalog catalog = new CollectionCatalog(ignite);
            ClusterView cluster = new ClusterView(ignite, shards);
            SearchRouter router = new SearchRouter(ignite, catalog, config.search().timeoutMs(),
                    config.search().hedgeDelayMs(), config.search().resultCacheMb() * 1024L * 1024L);
            node.router = router;
            RecallEstimator recall = new RecallEstimator(router, config.search().recallSampleRate());
            node.recall = recall;
            NodeMetrics metrics = new NodeMetrics(ignite, catalog, shards, router, recall,
                    Path.of(config.node().dataDir()).toAbsolutePath().normalize());
            node.metrics = metrics;
            ignite.message().localListen(Membership.STOP_TOPIC, node.stopListener);
            ApiKeys keys = new ApiKeys(ignite);
            AccessControl access = new AccessControl(keys, accessSettings(config.security()));
            access.bindTo(metrics.registry());
            if (!config.security().enabled() && config.security().allowInsecure()
                    && !NetworkCheck.loopback(config.rest().host())) {
                LOG.log(System.Logger.Level.WARNING, "Security is off and REST listens on " + config.rest().host()
                        + ", beyond this machine (security.allowInsecure): anyone who reaches it may read, write "
                        + "and delete everything. Turn security.enabled on");
            }
            node.rest = RestServer.start(config.rest().host(), config.rest().port(), List.of(
                    access,
                    new KeyRoutes(keys),
                    new CollectionRoutes(catalog, cluster),
                    new RecordRoutes(catalog, new RecordStore(ignite), lagBoard),
                    new SearchRoutes(catalog, router, recall),
                    new ClusterRoutes(catalog, cluster, shards, new Membership(ignite), addCommand(config)),
                    new SnapshotRoutes(catalog, new Snapshots(ignite, catalog)),
                    metrics), (ctx, millis) -> {
                        metrics.request(ctx, millis);
                        AuditLog.record(ctx);
                    }, config.tls().rest() ? tls : null);
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

    /**
     * What a node with security on does once the cluster is active: gives thin clients and JDBC their password, and
     * stores the first admin key when the cluster has none.
     */
    private static void secureCluster(Ignite ignite, GridvecConfig config) {
        ClientPassword.apply(ignite, config.security().clientPassword());
        InitialAdminKey.store(ignite, InitialAdminKey.secret(config, System.getenv()));
    }

    private static AccessControl.Settings accessSettings(GridvecConfig.Security security) {
        return new AccessControl.Settings(security.enabled(), Map.of(
                Role.READER, new AccessControl.Limit(security.readerPerSecond(), security.readerBurst()),
                Role.WRITER, new AccessControl.Limit(security.writerPerSecond(), security.writerBurst()),
                Role.ADMIN, new AccessControl.Limit(security.adminPerSecond(), security.adminBurst())),
                security.authFailuresPerMinute());
    }

    /** Returns the port the REST API listens on. */
    public int restPort() {
        return rest.port();
    }

    /** Returns every REST endpoint the node serves, as {@code "METHOD /path"}. */
    public List<String> restEndpoints() {
        return rest.endpoints();
    }

    /** Returns the permission each REST endpoint ({@code "METHOD /path"}) needs. */
    public Map<String, Permission> restPermissions() {
        return rest.permissions();
    }

    /** Returns the Ignite server behind this node. */
    public Ignite ignite() {
        return ignite;
    }

    /** Returns the configuration the node runs with. */
    public GridvecConfig config() {
        return config;
    }

    /**
     * Sets what happens when some node asks every node to stop ({@code POST /v1/cluster/stop}); by default the node
     * closes itself (on a thread of its own). The command line exits the process instead (its shutdown hook closes
     * the node).
     */
    public void onStopRequest(Runnable action) {
        this.onStopRequest = action;
    }

    private static String addCommand(GridvecConfig config) {
        return "gridvec cluster add " + config.node().name() + " --url " + restUrl(config);
    }

    /** Returns the REST API's URL as configured: {@code https://} when {@code tls.rest} is on. */
    public static String restUrl(GridvecConfig config) {
        return (config.tls().rest() ? "https://" : "http://") + config.rest().host() + ":" + config.rest().port();
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
                .setWalSegments(storage.walSegments())
                .setDefaultDataRegionConfiguration(new DataRegionConfiguration()
                        .setName("gridvec")
                        .setPersistenceEnabled(true)
                        .setMaxSize(storage.dataRegionMb() * 1024L * 1024L));

        ClientConnectorConfiguration clients = new ClientConnectorConfiguration()
                .setHost(cluster.host())
                .setPort(cluster.clientPort())
                .setPortRange(0);
        IgniteConfiguration ignite = new IgniteConfiguration();
        if (config.tls().cluster()) {
            // Discovery and communication: Ignite requires a peer certificate on both (needClientAuth, read in
            // Ignite 2.17's ServerImpl and GridNioServerWrapper), so a node must present one the trust material signs.
            ignite.setSslContextFactory(NodeTls.igniteFactory(config.tls()));
            // Thin clients and JDBC: encrypted, the client checks the node's certificate; clients present none (they
            // log in with security.clientPassword when security is on).
            clients.setSslEnabled(true).setUseIgniteSslContextFactory(true).setSslClientAuth(false);
        }
        // Ignite's built-in users for thin clients and JDBC (needs persistence, which every node has).
        ignite.setAuthenticationEnabled(config.security().enabled());
        return ignite
                .setIgniteInstanceName(config.node().name())
                .setConsistentId(config.node().name())
                .setWorkDirectory(dataDir.resolve("ignite").toString())
                .setLocalHost(cluster.host())
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(communication)
                .setClientConnectorConfiguration(clients)
                // The legacy REST/memcached connector (port 11211) is not part of Gridvec's surface.
                .setConnectorConfiguration(null)
                .setDataStorageConfiguration(dataStorage)
                // SQL over collections (JDBC thin, thin clients' SqlFieldsQuery): Calcite is the only engine.
                .setSqlConfiguration(new SqlConfiguration().setQueryEnginesConfiguration(
                        new CalciteQueryEngineConfiguration().setDefault(true)))
                .setShutdownPolicy(ShutdownPolicy.GRACEFUL)
                .setPluginProviders(new ClusterNameCheck(cluster.name()))
                .setUserAttributes(Map.of(
                        ClusterNameCheck.ATTRIBUTE, cluster.name(),
                        ClusterView.REST_ATTRIBUTE, restUrl(config),
                        ClusterView.DISCOVERY_ATTRIBUTE, cluster.host() + ":" + cluster.discoveryPort()))
                .setPeerClassLoadingEnabled(false)
                // /metrics serves Ignite's state; its 13-line metrics block every minute only filled the log.
                .setMetricsLogFrequency(0)
                .setGridLogger(NodeLogging.igniteLogger());
    }

    /** The seeds, plus this node's own discovery address so a lone node always finds itself. */
    private static List<String> discoveryAddresses(GridvecConfig.Cluster cluster) {
        List<String> addresses = new ArrayList<>(cluster.seeds());
        addresses.add(cluster.host() + ":" + cluster.discoveryPort());
        return addresses;
    }

    /**
     * Stops the node; a second call does nothing. First it tells the other nodes, so their searches ask other owners,
     * then it drains and stops the REST server ({@link #drainRest()}), its shards (writing their snapshots) and Ignite.
     * Ignite stops gracefully, waiting until another node holds a copy of each of its partitions, unless every other
     * server is stopping too; after {@code cluster.stopTimeoutMs} it stops anyway: its data is on disk, and a
     * partition whose only copy it held is offline until the node returns.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Every step runs even when one before it failed: above all, Ignite is always stopped.
        Shutdown.runAll(
                () -> {
                    if (router != null) {
                        router.announceLeaving(ANNOUNCE_WAIT_MS);
                    }
                },
                () -> ignite.message().stopLocalListen(Membership.STOP_TOPIC, stopListener),
                this::drainRest,
                () -> {
                    if (recall != null) {
                        recall.close();
                    }
                },
                () -> {
                    if (router != null) {
                        router.close();
                    }
                },
                () -> {
                    if (metrics != null) {
                        metrics.close();
                    }
                },
                formation::close,
                lagBoard::close,
                shards::close,
                this::stopIgnite);
    }

    /**
     * Refuses new requests and lets those being served finish, for at most {@code rest.drainTimeoutMs}; then stops
     * the REST server, cutting off any request still running (its client sees the connection close, never a success
     * for a write that was not made).
     */
    private void drainRest() {
        if (rest == null) {
            return;
        }
        try {
            int left = rest.drain(config.rest().drainTimeoutMs());
            if (left > 0) {
                LOG.log(System.Logger.Level.WARNING, left + " requests were still being served after "
                        + "rest.drainTimeoutMs (" + config.rest().drainTimeoutMs() + " ms); stopping anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            rest.close();
        }
    }

    /**
     * Stops Ignite: gracefully (the cluster's policy) on a thread of its own, bounded by {@code cluster.stopTimeoutMs}.
     * The public {@link Ignition#stop(String, boolean)} applies the cluster-wide policy only; Ignite's
     * {@link IgnitionEx#stop(String, boolean, ShutdownPolicy, boolean)} takes a policy for this one stop, and an
     * {@code IMMEDIATE} one also ends a graceful stop's wait.
     */
    private void stopIgnite() {
        String name = config.node().name();
        if (othersLeaving()) {
            IgnitionEx.stop(name, false, ShutdownPolicy.IMMEDIATE, false);
            return;
        }
        Thread graceful = Thread.ofPlatform().name("gridvec-ignite-stop").start(() -> {
            try {
                Ignition.stop(name, false);
            } catch (RuntimeException e) {
                // The stop thread's boundary: the node is going either way; say why it did not go cleanly.
                LOG.log(System.Logger.Level.ERROR, "Ignite did not stop cleanly", e);
            }
        });
        long deadline = System.nanoTime() + config.cluster().stopTimeoutMs() * 1_000_000L;
        try {
            while (!joined(graceful, STOP_CHECK_MS)) {
                boolean late = System.nanoTime() > deadline;
                if (late || othersLeaving()) {
                    if (late) {
                        LOG.log(System.Logger.Level.WARNING, "No other node took over this node's partitions within "
                                + "cluster.stopTimeoutMs (" + config.cluster().stopTimeoutMs() + " ms); stopping "
                                + "anyway. Its data is on disk; partitions it held the only copy of are offline "
                                + "until it returns");
                    }
                    // An IMMEDIATE stop ends the graceful one's wait, which then stops the node.
                    IgnitionEx.stop(name, false, ShutdownPolicy.IMMEDIATE, false);
                    graceful.join();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            IgnitionEx.stop(name, false, ShutdownPolicy.IMMEDIATE, false);
        }
    }

    /** Whether every other server announced its stop (or none is left): then no one can take this node's place. */
    private boolean othersLeaving() {
        try {
            return router == null ? ignite.cluster().forServers().forRemotes().nodes().isEmpty()
                    : router.othersLeaving();
        } catch (IgniteException | IllegalStateException e) {
            // Ignite is already stopping (IgniteIllegalStateException): the graceful stop has ended its wait.
            return false;
        }
    }

    private static boolean joined(Thread thread, long waitMs) throws InterruptedException {
        thread.join(waitMs);
        return !thread.isAlive();
    }
}
