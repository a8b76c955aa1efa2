package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.grid.tls.DocCertificates;
import io.gridvec.grid.tls.TlsException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ignite.IgniteException;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.ClientAuthenticationException;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.client.SslMode;
import org.apache.ignite.configuration.ClientConfiguration;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on real nodes with certificates made by docs/security.md's commands: HTTPS on the REST port, SSL on discovery,
 * communication and the thin client/JDBC port, a node of another CA kept out, and Ignite's authentication of thin
 * clients and JDBC with {@code security.clientPassword}.
 */
class TlsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = DocCertificates.STORE_PASSWORD;
    private static final String CLIENT_PASSWORD = "thin-client-secret";
    /** The first admin key of the secured nodes, sent with every HTTPS request. */
    private static final String ADMIN_KEY = "tls-it-admin-key-0123456789";
    private static final long JOIN_TIMEOUT_MS = 20_000;

    @TempDir
    static Path certificates;
    static Path ca;
    static Path otherCa;
    static SSLContext trustingCa;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Files.writeString(certificates.resolve("admin.key"), ADMIN_KEY);
        ca = DocCertificates.make(certificates.resolve("ca"));
        otherCa = DocCertificates.make(certificates.resolve("other-ca"));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ca.resolve("truststore.p12"))) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        trustingCa = SSLContext.getInstance("TLS");
        trustingCa.init(null, trustManagers.getTrustManagers(), null);
    }

    @Test
    void twoNodesOfTheCaFormOneClusterOverTlsAndServeHttpsSearchesAndPasswordCheckedClients() throws Exception {
        GridvecConfig pem = secured(pem(TestNodes.config(dataDir, "tls-pem", 2), ca));
        GridvecConfig store = secured(TestNodes.joining(pkcs12(TestNodes.config(dataDir, "tls-p12", 2), ca), pem));
        GridNode[] nodes = new GridNode[2];
        try {
            // The seed first: nodes started at once can each form a cluster of their own.
            nodes[0] = GridNode.start(pem);
            nodes[1] = GridNode.start(store);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> nodes[0].ignite().cluster().state().active());
            // The first admin key is stored once the cluster is active, maybe by a node's checking thread.
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> https(nodes[0], "GET", "/v1/keys", null).statusCode() == 200);
            for (GridNode node : nodes) {
                assertThat(node.ignite().cluster().forServers().nodes()).hasSize(2);
                assertThat(https(node, "GET", "/health", null).statusCode()).isEqualTo(200);
                assertThat(plainHttpStatus(node)).isNotEqualTo(200);
            }
            JsonNode cluster = JSON.readTree(https(nodes[0], "GET", "/v1/cluster", null).body());
            assertThat(cluster.findValuesAsText("rest")).containsExactlyInAnyOrder(
                    "https://127.0.0.1:" + pem.rest().port(), "https://127.0.0.1:" + store.rest().port());

            assertThat(https(nodes[0], "PUT", "/v1/collections/docs", "{\"dimension\": 4, \"metric\": \"l2\"}")
                    .statusCode()).isEqualTo(201);
            HttpResponse<String> upsert = https(nodes[1], "PUT", "/v1/collections/docs/records",
                    TestNodes.randomRecords(0, 100, 4, new Random(42), null));
            assertThat(upsert.statusCode()).as(upsert.body()).isBetween(200, 299);
            HttpResponse<String> search = https(nodes[1], "POST", "/v1/collections/docs/search",
                    "{\"vector\": [0.5, 0.5, 0.5, 0.5], \"k\": 100, \"exact\": true}");
            assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
            assertThat(JSON.readTree(search.body()).path("hits")).hasSize(100);

            for (GridvecConfig config : List.of(pem, store)) {
                int port = config.cluster().clientPort();
                assertThatThrownBy(() -> thinClient(port, null, null))
                        .isInstanceOf(ClientAuthenticationException.class);
                assertThatThrownBy(() -> thinClient(port, "ignite", "ignite"))
                        .isInstanceOf(ClientAuthenticationException.class);
                try (IgniteClient client = thinClient(port, "ignite", CLIENT_PASSWORD)) {
                    assertThat(client.cacheNames()).contains("gv_docs");
                }
                assertThatThrownBy(() -> jdbc(port, null, null)).isInstanceOf(SQLException.class);
                assertThatThrownBy(() -> jdbc(port, "ignite", "ignite")).isInstanceOf(SQLException.class)
                        .hasMessageContaining("The user name or password is incorrect");
                try (Connection connection = jdbc(port, "ignite", CLIENT_PASSWORD)) {
                    assertThat(connection.isValid(5)).isTrue();
                }
            }
        } finally {
            TestNodes.stopAll(nodes);
        }
    }

    @Test
    void aNodeWithACertificateOfAnotherCaCannotJoin() throws Exception {
        GridvecConfig member = pem(TestNodes.config(dataDir, "tls-member", 1), ca);
        GridvecConfig stranger = TestNodes.joining(pem(TestNodes.config(dataDir, "tls-stranger", 1), otherCa), member);
        try (GridNode node = GridNode.start(member)) {
            // The handshake fails at once (11 s with the stranger's own start, measured); the join timeout only
            // bounds the test should discovery retry instead.
            Throwable refused = catchThrowable(() -> GridNode.start(stranger, ignite -> {
                ((TcpDiscoverySpi) ignite.getDiscoverySpi()).setJoinTimeout(JOIN_TIMEOUT_MS);
                return ignite;
            }).close());
            assertThat(refused).isInstanceOf(IgniteException.class)
                    .hasMessageContaining("Unable to establish secure connection")
                    .hasMessageContaining("PKIX path validation failed");
            assertThat(node.ignite().cluster().nodes()).hasSize(1);
            assertThat(https(node, "GET", "/health", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aRestartWithAnotherClientPasswordIsRefusedAndTheClusterKeepsItsPassword() throws Exception {
        GridvecConfig config = secured(pkcs12(TestNodes.config(dataDir, "tls-password", 1), ca));
        try (GridNode node = GridNode.start(config)) {
            assertThat(node.ignite().cluster().state().active()).isTrue();
        }
        GridvecConfig.Security s = config.security();
        GridvecConfig changed = config.withSecurity(new GridvecConfig.Security(true, s.allowInsecure(),
                s.adminKeyFile(), s.readerPerSecond(), s.readerBurst(), s.writerPerSecond(), s.writerBurst(),
                s.adminPerSecond(), s.adminBurst(), s.authFailuresPerMinute(), s.auditFile(), "another-password"));
        assertThatThrownBy(() -> GridNode.start(changed).close()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("security.clientPassword is not the password of Ignite's user ignite");
        try (GridNode node = GridNode.start(config);
                IgniteClient client = thinClient(config.cluster().clientPort(), "ignite", CLIENT_PASSWORD)) {
            assertThat(client.cacheNames()).isNotNull();
        }
    }

    @Test
    void aKeyOfAnotherCertificateStopsTheStartBeforeIgniteStarts() throws Exception {
        GridvecConfig config = TestNodes.config(dataDir, "tls-bad-key", 1);
        GridvecConfig badKey = config.withTls(new GridvecConfig.Tls(true, false, "", "",
                ca.resolve("node1.crt").toString(), otherCa.resolve("node1.key").toString(), "", "", ""));
        assertThatThrownBy(() -> GridNode.start(badKey)).isInstanceOf(TlsException.class)
                .hasMessageStartingWith("tls.privateKey: " + otherCa.resolve("node1.key") + " is not the key");
        assertThat(Ignition.allGrids()).noneMatch(ignite -> "tls-bad-key".equals(ignite.name()));
    }

    private static HttpResponse<String> https(GridNode node, String method, String path, String body)
            throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().sslContext(trustingCa).connectTimeout(Duration.ofSeconds(5))
                .build()) {
            return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.restPort() + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + ADMIN_KEY)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The status plain HTTP gets from the TLS port, or -1 when the connection fails (the expected outcome). */
    private static int plainHttpStatus(GridNode node) throws InterruptedException {
        try {
            return TestNodes.http(node, "GET", "/health", null).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static IgniteClient thinClient(int port, String user, String password) {
        ClientConfiguration config = new ClientConfiguration()
                .setAddresses("127.0.0.1:" + port)
                .setTimeout(10_000)
                .setSslMode(SslMode.REQUIRED)
                // Ignite 2.17's thin client needs a client keystore even when the node asks for no certificate
                // ("KeyManagerFactoryImpl is not initialized" without one); the truststore does (docs/security.md).
                .setSslClientCertificateKeyStorePath(ca.resolve("truststore.p12").toString())
                .setSslClientCertificateKeyStoreType("PKCS12")
                .setSslClientCertificateKeyStorePassword(PASSWORD)
                .setSslTrustCertificateKeyStorePath(ca.resolve("truststore.p12").toString())
                .setSslTrustCertificateKeyStoreType("PKCS12")
                .setSslTrustCertificateKeyStorePassword(PASSWORD);
        if (user != null) {
            config.setUserName(user).setUserPassword(password);
        }
        return Ignition.startClient(config);
    }

    private static Connection jdbc(int port, String user, String password) throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
            properties.setProperty("password", password);
        }
        // The JDBC driver too needs a client keystore ("keyStoreFilePath cannot be null" without one).
        Path trust = ca.resolve("truststore.p12");
        return DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + port + "?sslMode=require"
                + "&sslClientCertificateKeyStoreUrl=" + trust + "&sslClientCertificateKeyStoreType=PKCS12"
                + "&sslClientCertificateKeyStorePassword=" + PASSWORD
                + "&sslTrustCertificateKeyStoreUrl=" + trust + "&sslTrustCertificateKeyStoreType=PKCS12"
                + "&sslTrustCertificateKeyStorePassword=" + PASSWORD, properties);
    }

    static GridvecConfig pem(GridvecConfig config, Path dir) {
        return config.withTls(new GridvecConfig.Tls(true, true, "", "", dir.resolve("node1.crt").toString(),
                dir.resolve("node1.key").toString(), "", "", dir.resolve("ca.crt").toString()));
    }

    static GridvecConfig pkcs12(GridvecConfig config, Path dir) {
        return config.withTls(new GridvecConfig.Tls(true, true, dir.resolve("node2.p12").toString(), PASSWORD, "", "",
                dir.resolve("truststore.p12").toString(), PASSWORD, ""));
    }

    static GridvecConfig secured(GridvecConfig config) {
        GridvecConfig.Security s = config.security();
        return config.withSecurity(new GridvecConfig.Security(true, s.allowInsecure(),
                certificates.resolve("admin.key").toString(),
                s.readerPerSecond(), s.readerBurst(), s.writerPerSecond(), s.writerBurst(), s.adminPerSecond(),
                s.adminBurst(), s.authFailuresPerMinute(), s.auditFile(), CLIENT_PASSWORD));
    }
}
