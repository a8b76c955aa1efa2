package io.gridvec.grid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layering (defaults, file, environment, flags) and validation that reports every problem at once. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void noFileGivesTheDocumentedDefaults() {
        GridvecConfig config = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(config).isEqualTo(GridvecConfig.defaults());
        assertThat(config.node().dataDir()).isEqualTo("./data");
        assertThat(config.rest().port()).isEqualTo(8080);
        assertThat(config.cluster().clientPort()).isEqualTo(10800);
        assertThat(config.storage().walMode()).isEqualTo("LOG_ONLY");
        assertThat(config.ingest().maxIndexLagRecords()).isEqualTo(100_000);
        assertThat(config.ingest().maxIndexLagMb()).isEqualTo(64);
        assertThat(config.ingest().maxWaitMs()).isEqualTo(2_000);
        assertThat(config.search().hedgeDelayMs()).isEqualTo(50);
        assertThat(config.search().timeoutMs()).isEqualTo(10_000);
    }

    @Test
    void fileThenEnvironmentThenFlagsEachOverrideTheLayerBefore() throws IOException {
        Path file = write("""
                node:
                  name: n2
                rest:
                  port: 9090
                cluster:
                  seeds: ["127.0.0.1:47500..47502"]
                storage:
                  walMode: FSYNC
                """);
        GridvecConfig config = ConfigLoader.load(file,
                Map.of("GRIDVEC_REST_PORT", "9191", "GRIDVEC_CLUSTER_DISCOVERY_PORT", "47501",
                        "GRIDVEC_CLUSTER_SEEDS", "10.0.0.1:47500, 10.0.0.2:47500"),
                Map.of("cluster.discoveryPort", "47502"));
        assertThat(config.node().name()).isEqualTo("n2");
        assertThat(config.node().dataDir()).isEqualTo("./data");
        assertThat(config.rest().port()).isEqualTo(9191);
        assertThat(config.cluster().discoveryPort()).isEqualTo(47502);
        assertThat(config.cluster().seeds()).containsExactly("10.0.0.1:47500", "10.0.0.2:47500");
        assertThat(config.storage().walMode()).isEqualTo("FSYNC");
    }

    @Test
    void everyInvalidValueIsReportedTogetherNamingTheKeyAndTheLimit() throws IOException {
        Path file = write("""
                node:
                  name: "bad name"
                rest:
                  port: 0
                cluster:
                  name: "my cluster"
                  clientPort: 47500
                  seeds: ["nohost"]
                  stopTimeoutMs: 10
                storage:
                  walMode: SOMETIMES
                ingest:
                  maxIndexLagRecords: 0
                  maxWaitMs: -1
                search:
                  hedgeDelayMs: 20000
                  timeoutMs: 10000
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "node.name must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$, was 'bad name'",
                        "rest.port must be in [1, 65535], was 0",
                        "rest.port and the cluster ports must differ, 47500 is used twice",
                        "cluster.name must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$, was 'my cluster'",
                        "cluster.seeds entries must be host:port or host:from..to, was 'nohost'",
                        "cluster.stopTimeoutMs must be in [1000, 3600000], was 10",
                        "storage.walMode must be one of LOG_ONLY, FSYNC, BACKGROUND, was 'SOMETIMES'",
                        "ingest.maxIndexLagRecords must be in [1, 100000000], was 0",
                        "ingest.maxWaitMs must be in [0, 60000], was -1",
                        "search.hedgeDelayMs must be in [0, search.timeoutMs), was 20000"))
                .hasMessageStartingWith(file + " is invalid:");
    }

    @Test
    void unknownKeysAndSectionsAreNamed() throws IOException {
        Path file = write("""
                rest:
                  prot: 9090
                metrics:
                  enabled: true
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of("rest.tls", "on")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "unknown key 'rest.prot'",
                        "unknown section 'metrics' (known: node, rest, cluster, storage, ingest, search, log, tracing, "
                                + "security, tls)",
                        "unknown key 'rest.tls' (command line)"));
    }

    @Test
    void logSettingsAreCheckedAndTheLogFilesDirectoryMustBeWritable() throws IOException {
        Path file = write("""
                rest:
                  drainTimeoutMs: -1
                log:
                  level: LOUD
                  file: /proc/forbidden/gridvec.json
                  maxFileMb: 0
                  maxFiles: 5000
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "rest.drainTimeoutMs must be in [0, 600000], was -1",
                        "log.level must be one of TRACE, DEBUG, INFO, WARN, ERROR, was 'LOUD'",
                        "log.maxFileMb must be in [1, 10240], was 0",
                        "log.maxFiles must be in [1, 1000], was 5000",
                        "log.file's directory '/proc/forbidden' cannot be created: /proc/forbidden: "
                                + "NoSuchFileException"));
    }

    @Test
    void restBeyondLoopbackNeedsSecurityOrAnExplicitAllowInsecure() {
        Map<String, String> data = Map.of("node.dataDir", dir.toString());
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GRIDVEC_REST_HOST", "0.0.0.0"), data))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly("rest.host '0.0.0.0' "
                        + "is reachable from other machines (environment GRIDVEC_REST_HOST): turn security.enabled on "
                        + "(API keys), bind 127.0.0.1, or set security.allowInsecure: true to serve everyone without "
                        + "keys"));
        assertThat(ConfigLoader.load(null, Map.of("GRIDVEC_REST_HOST", "0.0.0.0",
                "GRIDVEC_SECURITY_ALLOW_INSECURE", "true"), data).security().allowInsecure()).isTrue();
        assertThat(ConfigLoader.load(null, Map.of("GRIDVEC_REST_HOST", "0.0.0.0", "GRIDVEC_SECURITY_ENABLED", "TRUE",
                "GRIDVEC_SECURITY_CLIENT_PASSWORD", "long-enough"), data).security().enabled()).isTrue();
        assertThat(ConfigLoader.load(null, Map.of("GRIDVEC_REST_HOST", "localhost"), data).rest().host())
                .isEqualTo("localhost");
    }

    @Test
    void passwordsNeverAppearInTheConfigurationsText() {
        GridvecConfig config = ConfigLoader.load(null, Map.of("GRIDVEC_SECURITY_CLIENT_PASSWORD", "client-secret-1",
                "GRIDVEC_TLS_KEY_STORE_PASSWORD", "store-secret-2", "GRIDVEC_TLS_TRUST_STORE_PASSWORD",
                "trust-secret-3"), Map.of("node.dataDir", dir.toString()));
        assertThat(config.security().clientPassword()).isEqualTo("client-secret-1");
        assertThat(config.toString()).doesNotContain("client-secret-1", "store-secret-2", "trust-secret-3")
                .contains("clientPassword=***", "keyStorePassword=***");
    }

    @Test
    void securityNeedsAClientPasswordAndALongEnoughAdminKeyAndBooleansAreChecked() throws IOException {
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, "too-short\n");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GRIDVEC_SECURITY_ENABLED", "yes",
                "GRIDVEC_SECURITY_ADMIN_KEY_FILE", shortKey.toString()), Map.of("node.dataDir", dir.toString())))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "security.enabled has the wrong type: must be true or false, was 'yes' (environment "
                                + "GRIDVEC_SECURITY_ENABLED)",
                        "security.adminKeyFile " + shortKey + " must hold a key of at least 20 characters"));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GRIDVEC_SECURITY_ENABLED", "true",
                "GRIDVEC_ADMIN_KEY", "short"), Map.of("node.dataDir", dir.toString())))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "security.clientPassword must have at least 8 characters when security.enabled is true (thin "
                                + "clients and JDBC log in as user ignite with it; set it with "
                                + "GRIDVEC_SECURITY_CLIENT_PASSWORD)",
                        "GRIDVEC_ADMIN_KEY must have at least 20 characters (environment)"));
    }

    @Test
    void addressesThatDoNotResolveAreNamedWithTheirKeys() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GRIDVEC_REST_HOST", "no-such-host.invalid"),
                Map.of("cluster.seeds", "127.0.0.1:47500,nowhere.invalid:47501")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "rest.host 'no-such-host.invalid' does not resolve to an address "
                                + "(environment GRIDVEC_REST_HOST)",
                        "cluster.seeds entry 'nowhere.invalid:47501': 'nowhere.invalid' does not resolve to an "
                                + "address (command line)"));
    }

    @Test
    void portsInUseAreNamedWithTheirKeys() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            GridvecConfig config = ConfigLoader.load(null, Map.of(), Map.of("rest.port",
                    String.valueOf(taken.getLocalPort())));
            // The other ports are the defaults, which something else on this machine may hold too.
            assertThat(NetworkCheck.portsInUse(config)).anySatisfy(problem -> assertThat(problem)
                    .startsWith("rest.port " + taken.getLocalPort() + " on 127.0.0.1 cannot be bound: "));
        }
        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        GridvecConfig config = ConfigLoader.load(null, Map.of(), Map.of("rest.port", String.valueOf(free)));
        assertThat(NetworkCheck.portsInUse(config)).noneSatisfy(problem -> assertThat(problem)
                .startsWith("rest.port"));
    }

    @Test
    void theLogFileDefaultsToTheDataDirectory() {
        GridvecConfig config = ConfigLoader.load(null, Map.of("GRIDVEC_NODE_DATA_DIR", dir.resolve("d").toString()),
                Map.of());
        assertThat(config.logFile()).isEqualTo(dir.resolve("d/logs/gridvec.json").toAbsolutePath());
        assertThat(ConfigLoader.load(null, Map.of("GRIDVEC_LOG_FILE", dir.resolve("x.json").toString()), Map.of())
                .logFile()).isEqualTo(dir.resolve("x.json").toAbsolutePath());
    }

    @Test
    void aWrongTypeNamesTheKey() throws IOException {
        Path file = write("rest:\n  port: eighty\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement()
                        .asString().startsWith("rest.port has the wrong type"));
    }

    @Test
    void unknownKeysWrongTypesInvalidValuesAndAnUnusableDataDirAreReportedAtOnceNamingTheirSource()
            throws IOException {
        Path file = write("""
                node:
                  name: "bad name"
                  dataDir: /proc/forbidden/x
                  colour: blue
                rest:
                  port: "abc"
                cluster:
                  seeds: 47500
                search:
                  timeoutMs: 5
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("GRIDVEC_INGEST_MAX_WAIT_MS", "soon",
                "GRIDVEC_STORAGE_WAL_SEGMENT_MB", "0"), Map.of("cluster.clientPort", "99999999999")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "unknown key 'node.colour'",
                        "rest.port has the wrong type: must be an integer in [-2^31, 2^31), was 'abc'",
                        "cluster.seeds has the wrong type: must be a list, was 47500",
                        "cluster.clientPort has the wrong type: must be an integer in [-2^31, 2^31), was "
                                + "'99999999999' (command line)",
                        "ingest.maxWaitMs has the wrong type: must be an integer in [-2^31, 2^31), was 'soon' "
                                + "(environment GRIDVEC_INGEST_MAX_WAIT_MS)",
                        "node.name must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$, was 'bad name'",
                        "storage.walSegmentMb must be in [1, 1024], was 0 (environment GRIDVEC_STORAGE_WAL_SEGMENT_MB)",
                        "search.timeoutMs must be in [100, 600000], was 5",
                        "search.hedgeDelayMs must be in [0, search.timeoutMs), was 50",
                        "node.dataDir '/proc/forbidden/x' cannot be created: /proc/forbidden: "
                                + "NoSuchFileException"));
    }

    @Test
    void anEmptyDataDirIsReportedOnce() throws IOException {
        Path file = write("node:\n  dataDir: ~\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "node.dataDir must not be empty"));
    }

    @Test
    void aDataDirThatCanBeCreatedPassesAndIsLeftAsItWas(@TempDir Path dir) {
        Path data = dir.resolve("a").resolve("b");
        assertThat(ConfigLoader.load(null, Map.of("GRIDVEC_NODE_DATA_DIR", data.toString()), Map.of()).node()
                .dataDir()).isEqualTo(data.toString());
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void environmentNamesFollowTheKeys() {
        assertThat(ConfigLoader.environmentName("cluster", "communicationPort"))
                .isEqualTo("GRIDVEC_CLUSTER_COMMUNICATION_PORT");
        assertThat(ConfigLoader.environmentName("node", "dataDir")).isEqualTo("GRIDVEC_NODE_DATA_DIR");
        assertThat(List.of(ConfigLoader.environmentName("storage", "walMode"))).containsExactly(
                "GRIDVEC_STORAGE_WAL_MODE");
        assertThat(ConfigLoader.environmentName("ingest", "maxIndexLagRecords"))
                .isEqualTo("GRIDVEC_INGEST_MAX_INDEX_LAG_RECORDS");
        assertThat(ConfigLoader.load(null, Map.of("GRIDVEC_SEARCH_HEDGE_DELAY_MS", "0"), Map.of()).search()
                .hedgeDelayMs()).isZero();
    }

    @Test
    void theExampleClusterConfigsAreValidAndDoNotCollide() {
        Path examples = Path.of("..", "examples", "cluster");
        List<GridvecConfig> nodes = List.of(
                ConfigLoader.load(examples.resolve("node1.yaml"), Map.of(), Map.of()),
                ConfigLoader.load(examples.resolve("node2.yaml"), Map.of(), Map.of()),
                ConfigLoader.load(examples.resolve("node3.yaml"), Map.of(), Map.of()));
        assertThat(nodes).extracting(c -> c.node().name()).doesNotHaveDuplicates();
        assertThat(nodes).extracting(c -> c.node().dataDir()).doesNotHaveDuplicates();
        assertThat(nodes).flatExtracting(c -> List.of(c.rest().port(), c.cluster().discoveryPort(),
                c.cluster().communicationPort(), c.cluster().clientPort())).doesNotHaveDuplicates();
        assertThat(nodes).allSatisfy(c -> assertThat(c.cluster().initialNodes()).isEqualTo(3));
    }

    @Test
    void tlsFilesThatAreMissingOrDirectoriesAreReportedByKey() throws IOException {
        Path certificate = Files.writeString(dir.resolve("node.crt"), "not checked here: read at start");
        Path file = write("""
                tls:
                  rest: true
                  cluster: true
                  certificate: %s
                  privateKey: %s
                """.formatted(certificate, dir.resolve("missing.key")));
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("GRIDVEC_TLS_CA_CERTIFICATE", dir.toString()),
                Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "tls.privateKey must be a readable file, was '" + dir.resolve("missing.key") + "'",
                        "tls.caCertificate must be a readable file, was '" + dir + "' (environment "
                                + "GRIDVEC_TLS_CA_CERTIFICATE)"));
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("gridvec.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
