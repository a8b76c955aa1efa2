package io.gridvec.grid.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A node's configuration: one YAML file of ten sections, each a record whose defaults live in {@link #defaults()}.
 * Immutable and thread-safe; {@link ConfigLoader} builds it and {@link #problems()} validates it.
 */
public record GridvecConfig(Node node, Rest rest, Cluster cluster, Storage storage, Ingest ingest, Search search,
        Log log, Tracing tracing, Security security, Tls tls) {

    private static final Pattern NODE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$");
    private static final Pattern SEED = Pattern.compile("^[^:\\s]+:\\d{1,5}(\\.\\.\\d{1,5})?$");

    /** The node: its name (also its Ignite consistent id) and where it keeps its data. */
    public record Node(String name, String dataDir) {}

    /**
     * The REST API's listening address, and how long a stopping node lets the requests it is serving finish (new ones
     * are refused with 503 meanwhile).
     */
    public record Rest(String host, int port, int drainTimeoutMs) {}

    /**
     * Cluster membership and links: the cluster's name (a node joins only a cluster of the same name), the address
     * this node binds, its discovery, communication and client (thin client and JDBC) ports, the discovery addresses
     * of the cluster ({@code host:port} or {@code host:from..to}), how many server nodes a fresh cluster waits for
     * before it activates and fixes its baseline, and how long a stop may wait for other nodes to take this node's
     * partitions before it stops anyway.
     */
    public record Cluster(String name, String host, int discoveryPort, int communicationPort, int clientPort,
            List<String> seeds, int initialNodes, int stopTimeoutMs) {}

    /**
     * Native persistence: WAL mode ({@code LOG_ONLY}, {@code FSYNC} or {@code BACKGROUND}), the WAL's segment size
     * in MiB and how many segments Ignite preallocates (the WAL's fixed disk is their product), and the data region's
     * size in MiB.
     */
    public record Storage(String walMode, int walSegmentMb, int walSegments, int dataRegionMb) {}

    /**
     * Back-pressure on writes: the bound on this node's index lag (writes seen but not yet indexed), in records or in
     * MiB of heap, whichever is reached first, and how long a write waits for an owner's lag to fall below its bound
     * before it is refused with 429.
     */
    public record Ingest(long maxIndexLagRecords, int maxIndexLagMb, int maxWaitMs) {}

    /**
     * Searches: how long the router waits for a node before asking the other owners of its partitions too (0 turns
     * hedging off), how long a search may take to answer every partition, the heap this node's cache of search
     * answers may take, in MiB (0 turns it off), and the fraction of searches re-run exactly in the background to
     * estimate recall (0 turns it off).
     */
    public record Search(int hedgeDelayMs, int timeoutMs, int resultCacheMb, double recallSampleRate) {}

    /**
     * Logs: the level of every logger (Gridvec's, Ignite's, Jetty's), the JSON log file (empty: {@code
     * <node.dataDir>/logs/gridvec.json}), the size at which it rolls over, in MiB, and how many rolled files are
     * kept.
     */
    public record Log(String level, String file, int maxFileMb, int maxFiles) {}

    /**
     * Traces: where spans go ({@code none}, the default, or {@code otlp}: OTLP over HTTP to {@code endpoint}), and the
     * fraction of traces started here that are kept (a trace a client started keeps its client's decision).
     */
    public record Tracing(String exporter, String endpoint, double sampleRatio) {}

    /**
     * Who may do what: whether requests need an API key ({@code enabled}); whether a node with security off may
     * still bind REST to an address other than loopback ({@code allowInsecure}, warned at every start); the file
     * holding the first admin key at a cluster's first start (the environment's {@code GRIDVEC_ADMIN_KEY} wins); the
     * rate limit of each role per key (requests per second and burst; 0 per second: no limit); how many failed
     * authentications a client address may make per minute before it is refused with 429; the audit log file (empty:
     * {@code <node.dataDir>/logs/audit.json}); and the password of Ignite's user {@code ignite}, which thin clients
     * and JDBC must give when security is on.
     */
    public record Security(boolean enabled, boolean allowInsecure, String adminKeyFile, int readerPerSecond,
            int readerBurst, int writerPerSecond, int writerBurst, int adminPerSecond, int adminBurst,
            int authFailuresPerMinute, String auditFile, String clientPassword) {
        /** The settings without the client password, which never appears in a log line. */
        @Override
        public String toString() {
            return "Security[enabled=" + enabled + ", allowInsecure=" + allowInsecure + ", adminKeyFile="
                    + adminKeyFile + ", auditFile=" + auditFile + ", clientPassword=" + mask(clientPassword) + "]";
        }
    }

    /**
     * TLS: HTTPS on the REST port ({@code rest}), SSL on discovery, communication and the thin client/JDBC port
     * ({@code cluster}). The node's certificate and key come from a PKCS12 {@code keyStore} or from PEM files
     * ({@code certificate} and {@code privateKey}); the certificates it trusts (a cluster link's peer must present
     * one they sign) from a PKCS12 {@code trustStore} or a PEM {@code caCertificate}.
     */
    public record Tls(boolean rest, boolean cluster, String keyStore, String keyStorePassword, String certificate,
            String privateKey, String trustStore, String trustStorePassword, String caCertificate) {
        /** The settings without the store passwords, which never appear in a log line. */
        @Override
        public String toString() {
            return "Tls[rest=" + rest + ", cluster=" + cluster + ", keyStore=" + keyStore + ", keyStorePassword="
                    + mask(keyStorePassword) + ", certificate=" + certificate + ", privateKey=" + privateKey
                    + ", trustStore=" + trustStore + ", trustStorePassword=" + mask(trustStorePassword)
                    + ", caCertificate=" + caCertificate + "]";
        }
    }

    private static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "" : "***";
    }

    /** Returns the defaults: a single node on 127.0.0.1 with its data in {@code ./data}. */
    public static GridvecConfig defaults() {
        return new GridvecConfig(
                new Node("gridvec-1", "./data"),
                new Rest("127.0.0.1", 8080, 30_000),
                new Cluster("gridvec", "127.0.0.1", 47500, 47100, 10800, List.of("127.0.0.1:47500"), 1, 60_000),
                new Storage("LOG_ONLY", 64, 10, 1024),
                new Ingest(100_000, 64, 2_000),
                new Search(50, 10_000, 16, 0.01),
                new Log("INFO", "", 100, 10),
                new Tracing("none", "http://127.0.0.1:4318/v1/traces", 1.0),
                new Security(false, false, "", 1_000, 2_000, 500, 1_000, 20, 40, 10, "", ""),
                new Tls(false, false, "", "", "", "", "", "", ""));
    }

    /** Returns this configuration with {@code cluster} in place of its cluster section. */
    public GridvecConfig withCluster(Cluster cluster) {
        return new GridvecConfig(node, rest, cluster, storage, ingest, search, log, tracing, security, tls);
    }

    /** Returns this configuration with {@code search} in place of its search section. */
    public GridvecConfig withSearch(Search search) {
        return new GridvecConfig(node, rest, cluster, storage, ingest, search, log, tracing, security, tls);
    }

    /** Returns this configuration with {@code security} in place of its security section. */
    public GridvecConfig withSecurity(Security security) {
        return new GridvecConfig(node, rest, cluster, storage, ingest, search, log, tracing, security, tls);
    }

    /** Returns this configuration with {@code tls} in place of its TLS section. */
    public GridvecConfig withTls(Tls tls) {
        return new GridvecConfig(node, rest, cluster, storage, ingest, search, log, tracing, security, tls);
    }

    /** Returns every problem of this configuration, each naming the key and the limit; empty when valid. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (node.name() == null || !NODE_NAME.matcher(node.name()).matches()) {
            problems.add("node.name must match " + NODE_NAME.pattern() + ", was '" + node.name() + "'");
        }
        if (node.dataDir() == null || node.dataDir().isBlank()) {
            problems.add("node.dataDir must not be empty");
        }
        if (cluster.name() == null || !NODE_NAME.matcher(cluster.name()).matches()) {
            problems.add("cluster.name must match " + NODE_NAME.pattern() + ", was '" + cluster.name() + "'");
        }
        requireHost(problems, "rest.host", rest.host());
        requireHost(problems, "cluster.host", cluster.host());
        requirePort(problems, "rest.port", rest.port());
        requirePort(problems, "cluster.discoveryPort", cluster.discoveryPort());
        requirePort(problems, "cluster.communicationPort", cluster.communicationPort());
        requirePort(problems, "cluster.clientPort", cluster.clientPort());
        Set<Integer> ports = new HashSet<>();
        for (int port : new int[] {rest.port(), cluster.discoveryPort(), cluster.communicationPort(),
                cluster.clientPort()}) {
            if (!ports.add(port)) {
                problems.add("rest.port and the cluster ports must differ, " + port + " is used twice");
            }
        }
        if (rest.drainTimeoutMs() < 0 || rest.drainTimeoutMs() > 600_000) {
            problems.add("rest.drainTimeoutMs must be in [0, 600000], was " + rest.drainTimeoutMs());
        }
        if (cluster.seeds() == null || cluster.seeds().isEmpty()) {
            problems.add("cluster.seeds must list at least one host:port");
        } else {
            for (String seed : cluster.seeds()) {
                if (seed == null || !SEED.matcher(seed).matches()) {
                    problems.add("cluster.seeds entries must be host:port or host:from..to, was '" + seed + "'");
                }
            }
        }
        if (cluster.initialNodes() < 1 || cluster.initialNodes() > 1000) {
            problems.add("cluster.initialNodes must be in [1, 1000], was " + cluster.initialNodes());
        }
        if (cluster.stopTimeoutMs() < 1_000 || cluster.stopTimeoutMs() > 3_600_000) {
            problems.add("cluster.stopTimeoutMs must be in [1000, 3600000], was " + cluster.stopTimeoutMs());
        }
        if (!Set.of("LOG_ONLY", "FSYNC", "BACKGROUND").contains(storage.walMode())) {
            problems.add("storage.walMode must be one of LOG_ONLY, FSYNC, BACKGROUND, was '" + storage.walMode() + "'");
        }
        if (storage.walSegmentMb() < 1 || storage.walSegmentMb() > 1024) {
            problems.add("storage.walSegmentMb must be in [1, 1024], was " + storage.walSegmentMb());
        }
        if (storage.walSegments() < 2 || storage.walSegments() > 1_000) {
            problems.add("storage.walSegments must be in [2, 1000], was " + storage.walSegments());
        }
        if (storage.dataRegionMb() < 64 || storage.dataRegionMb() > 16 * 1024 * 1024) {
            problems.add("storage.dataRegionMb must be in [64, 16777216], was " + storage.dataRegionMb());
        }
        if (ingest.maxIndexLagRecords() < 1 || ingest.maxIndexLagRecords() > 100_000_000) {
            problems.add("ingest.maxIndexLagRecords must be in [1, 100000000], was " + ingest.maxIndexLagRecords());
        }
        if (ingest.maxIndexLagMb() < 1 || ingest.maxIndexLagMb() > 1_048_576) {
            problems.add("ingest.maxIndexLagMb must be in [1, 1048576], was " + ingest.maxIndexLagMb());
        }
        if (ingest.maxWaitMs() < 0 || ingest.maxWaitMs() > 60_000) {
            problems.add("ingest.maxWaitMs must be in [0, 60000], was " + ingest.maxWaitMs());
        }
        if (search.timeoutMs() < 100 || search.timeoutMs() > 600_000) {
            problems.add("search.timeoutMs must be in [100, 600000], was " + search.timeoutMs());
        }
        if (search.hedgeDelayMs() < 0 || search.hedgeDelayMs() >= search.timeoutMs()) {
            problems.add("search.hedgeDelayMs must be in [0, search.timeoutMs), was " + search.hedgeDelayMs());
        }
        if (!(search.recallSampleRate() >= 0 && search.recallSampleRate() <= 1)) {
            problems.add("search.recallSampleRate must be in [0, 1], was " + search.recallSampleRate());
        }
        if (search.resultCacheMb() < 0 || search.resultCacheMb() > 65_536) {
            problems.add("search.resultCacheMb must be in [0, 65536], was " + search.resultCacheMb());
        }
        if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(log.level())) {
            problems.add("log.level must be one of TRACE, DEBUG, INFO, WARN, ERROR, was '" + log.level() + "'");
        }
        if (log.file() == null) {
            problems.add("log.file must be a path, or empty for <node.dataDir>/logs/gridvec.json");
        }
        if (log.maxFileMb() < 1 || log.maxFileMb() > 10_240) {
            problems.add("log.maxFileMb must be in [1, 10240], was " + log.maxFileMb());
        }
        if (log.maxFiles() < 1 || log.maxFiles() > 1_000) {
            problems.add("log.maxFiles must be in [1, 1000], was " + log.maxFiles());
        }
        if (!Set.of("none", "otlp").contains(tracing.exporter())) {
            problems.add("tracing.exporter must be one of none, otlp, was '" + tracing.exporter() + "'");
        }
        if (tracing.endpoint() == null || !tracing.endpoint().matches("^https?://[^\\s/]+(/\\S*)?$")) {
            problems.add("tracing.endpoint must be an http:// or https:// URL, was '" + tracing.endpoint() + "'");
        }
        if (!(tracing.sampleRatio() >= 0 && tracing.sampleRatio() <= 1)) {
            problems.add("tracing.sampleRatio must be in [0, 1], was " + tracing.sampleRatio());
        }
        securityProblems(problems);
        tlsProblems(problems);
        return problems;
    }

    private void securityProblems(List<String> problems) {
        int[] limits = {security.readerPerSecond(), security.readerBurst(), security.writerPerSecond(),
                security.writerBurst(), security.adminPerSecond(), security.adminBurst()};
        String[] names = {"readerPerSecond", "readerBurst", "writerPerSecond", "writerBurst", "adminPerSecond",
                "adminBurst"};
        for (int i = 0; i < limits.length; i++) {
            if (limits[i] < 0 || limits[i] > 1_000_000) {
                problems.add("security." + names[i] + " must be in [0, 1000000], was " + limits[i]);
            }
        }
        if (security.authFailuresPerMinute() < 1 || security.authFailuresPerMinute() > 100_000) {
            problems.add("security.authFailuresPerMinute must be in [1, 100000], was "
                    + security.authFailuresPerMinute());
        }
        if (security.adminKeyFile() == null || security.auditFile() == null || security.clientPassword() == null) {
            problems.add("security.adminKeyFile, security.auditFile and security.clientPassword must be strings");
        }
        if (security.enabled() && (security.clientPassword() == null || security.clientPassword().length() < 8)) {
            problems.add("security.clientPassword must have at least 8 characters when security.enabled is true "
                    + "(thin clients and JDBC log in as user ignite with it; set it with "
                    + "GRIDVEC_SECURITY_CLIENT_PASSWORD)");
        }
    }

    private void tlsProblems(List<String> problems) {
        if (!tls.rest() && !tls.cluster()) {
            return;
        }
        boolean store = !tls.keyStore().isBlank();
        boolean pem = !tls.certificate().isBlank() || !tls.privateKey().isBlank();
        if (store == pem || pem && (tls.certificate().isBlank() || tls.privateKey().isBlank())) {
            problems.add("tls.keyStore, or tls.certificate with tls.privateKey, must be set (one of the two) when "
                    + "tls.rest or tls.cluster is true");
        }
        if (tls.cluster() && tls.trustStore().isBlank() == tls.caCertificate().isBlank()) {
            problems.add("tls.trustStore or tls.caCertificate must be set (one of the two) when tls.cluster is true");
        }
        String[] files = {tls.keyStore(), tls.certificate(), tls.privateKey(), tls.trustStore(), tls.caCertificate()};
        String[] keys = {"keyStore", "certificate", "privateKey", "trustStore", "caCertificate"};
        for (int i = 0; i < files.length; i++) {
            if (!files[i].isBlank() && !readableFile(files[i])) {
                problems.add("tls." + keys[i] + " must be a readable file, was '" + files[i] + "'");
            }
        }
    }

    private static boolean readableFile(String file) {
        try {
            Path path = Path.of(file);
            return Files.isRegularFile(path) && Files.isReadable(path);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** Returns the audit log file: {@code security.auditFile}, or {@code <node.dataDir>/logs/audit.json}. */
    public Path auditFile() {
        Path file = security.auditFile().isBlank() ? Path.of(node.dataDir(), "logs", "audit.json")
                : Path.of(security.auditFile());
        return file.toAbsolutePath().normalize();
    }

    /** Returns the JSON log file: {@code log.file}, or {@code <node.dataDir>/logs/gridvec.json} when it is empty. */
    public Path logFile() {
        Path file = log.file().isBlank() ? Path.of(node.dataDir(), "logs", "gridvec.json")
                : Path.of(log.file());
        return file.toAbsolutePath().normalize();
    }

    private static void requireHost(List<String> problems, String key, String host) {
        if (host == null || host.isBlank()) {
            problems.add(key + " must not be empty");
        }
    }

    private static void requirePort(List<String> problems, String key, int port) {
        if (port < 1 || port > 65_535) {
            problems.add(key + " must be in [1, 65535], was " + port);
        }
    }
}
