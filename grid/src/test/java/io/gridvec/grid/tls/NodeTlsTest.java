package io.gridvec.grid.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridvec.grid.config.GridvecConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key and trust material from the documented commands' files, and every way a file can be wrong, named by key. */
class NodeTlsTest {

    private static final String PASSWORD = DocCertificates.STORE_PASSWORD;

    @TempDir
    static Path dir;
    static Path ca;
    static Path other;

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = DocCertificates.make(dir.resolve("ca"));
        other = DocCertificates.make(dir.resolve("other-ca"));
    }

    @Test
    void pemAndPkcs12MaterialBuildContexts() {
        SSLContext pem = NodeTls.sslContext(pem(ca.resolve("node1.crt"), ca.resolve("node1.key"),
                ca.resolve("ca.crt")));
        SSLContext store = NodeTls.sslContext(store(ca.resolve("node2.p12"), PASSWORD));
        assertThat(pem.getProtocol()).isEqualTo("TLS");
        assertThat(store.createSSLEngine().getSupportedProtocols()).contains("TLSv1.3");
        assertThat(NodeTls.igniteFactory(store(ca.resolve("node2.p12"), PASSWORD)).create()).isNotNull();
    }

    @Test
    void aTraditionalKeyIsRefusedWithTheConversionCommand() throws Exception {
        Path traditional = dir.resolve("node1-sec1.key");
        Process openssl = new ProcessBuilder("openssl", "pkey", "-in", ca.resolve("node1.key").toString(),
                "-traditional", "-out", traditional.toString()).redirectErrorStream(true).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).isZero();
        assertThatThrownBy(() -> NodeTls.sslContext(pem(ca.resolve("node1.crt"), traditional, ca.resolve("ca.crt"))))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith("tls.privateKey: not a PKCS#8 PEM private key")
                .hasMessageContaining("found a 'EC PRIVATE KEY'", "openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        assertThatThrownBy(() -> NodeTls.sslContext(pem(ca.resolve("node1.crt"), other.resolve("node1.key"),
                ca.resolve("ca.crt"))))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith("tls.privateKey: " + other.resolve("node1.key")
                        + " is not the key of the first certificate in tls.certificate");
    }

    @Test
    void filesOfTheWrongKindAreRefusedNamingTheirKey() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nbm90\n"
                + "-----END CERTIFICATE-----\n");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> NodeTls.sslContext(pem(garbage, ca.resolve("node1.key"), ca.resolve("ca.crt"))))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("tls.certificate: not a PEM X.509 "
                        + "certificate file: " + garbage);
        assertThatThrownBy(() -> NodeTls.sslContext(pem(ca.resolve("node1.crt"), ca.resolve("node1.crt"),
                ca.resolve("ca.crt"))))
                .isInstanceOf(TlsException.class)
                .hasMessageStartingWith("tls.privateKey: not a PKCS#8 PEM private key");
        assertThatThrownBy(() -> NodeTls.sslContext(pem(ca.resolve("node1.crt"), ca.resolve("node1.key"), empty)))
                .isInstanceOf(TlsException.class).hasMessage("tls.caCertificate: no X.509 certificate in PEM file "
                        + empty);
        assertThatThrownBy(() -> NodeTls.sslContext(store(ca.resolve("ca.crt"), PASSWORD)))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("tls.keyStore: not a readable PKCS12 "
                        + "store: " + ca.resolve("ca.crt"));
        assertThatThrownBy(() -> NodeTls.sslContext(store(ca.resolve("truststore.p12"), PASSWORD)))
                .isInstanceOf(TlsException.class).hasMessage("tls.keyStore: " + ca.resolve("truststore.p12")
                        + " holds no private key entry");
        assertThatThrownBy(() -> NodeTls.sslContext(pem(ca.resolve("node1.crt"), dir.resolve("missing.key"),
                ca.resolve("ca.crt"))))
                .isInstanceOf(TlsException.class).hasMessageStartingWith("tls.privateKey: cannot read "
                        + dir.resolve("missing.key"));
    }

    @Test
    void aWrongStorePasswordIsNamed() {
        assertThatThrownBy(() -> NodeTls.sslContext(store(ca.resolve("node2.p12"), "wrong-password")))
                .isInstanceOf(TlsException.class)
                .hasMessage("tls.keyStorePassword: wrong password for tls.keyStore " + ca.resolve("node2.p12"));
        GridvecConfig.Tls badTrust = new GridvecConfig.Tls(true, true, ca.resolve("node2.p12").toString(), PASSWORD,
                "", "", ca.resolve("truststore.p12").toString(), "wrong-password", "");
        assertThatThrownBy(() -> NodeTls.sslContext(badTrust))
                .isInstanceOf(TlsException.class)
                .hasMessage("tls.trustStorePassword: wrong password for tls.trustStore "
                        + ca.resolve("truststore.p12"));
    }

    private static GridvecConfig.Tls pem(Path certificate, Path key, Path caCertificate) {
        return new GridvecConfig.Tls(true, true, "", "", certificate.toString(), key.toString(), "", "",
                caCertificate.toString());
    }

    private static GridvecConfig.Tls store(Path keyStore, String password) {
        return new GridvecConfig.Tls(true, true, keyStore.toString(), password, "", "",
                ca.resolve("truststore.p12").toString(), PASSWORD, "");
    }
}
