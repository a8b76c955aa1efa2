package io.gridvec.grid.tls;

import io.gridvec.grid.config.GridvecConfig;
import javax.cache.configuration.Factory;
import javax.net.ssl.SSLContext;

/**
 * Ignite's SSL context factory (discovery, communication, thin clients and JDBC): it keeps the {@code tls} section's
 * paths and passwords, serializable as Ignite requires, and builds the context with {@link NodeTls} on each
 * {@link #create()}. Thread-safe.
 */
final class IgniteSslFactory implements Factory<SSLContext> {

    private static final long serialVersionUID = 1L;

    private final String keyStore;
    private final String keyStorePassword;
    private final String certificate;
    private final String privateKey;
    private final String trustStore;
    private final String trustStorePassword;
    private final String caCertificate;

    IgniteSslFactory(GridvecConfig.Tls tls) {
        this.keyStore = tls.keyStore();
        this.keyStorePassword = tls.keyStorePassword();
        this.certificate = tls.certificate();
        this.privateKey = tls.privateKey();
        this.trustStore = tls.trustStore();
        this.trustStorePassword = tls.trustStorePassword();
        this.caCertificate = tls.caCertificate();
    }

    @Override
    public SSLContext create() {
        return NodeTls.sslContext(new GridvecConfig.Tls(false, true, keyStore, keyStorePassword, certificate,
                privateKey, trustStore, trustStorePassword, caCertificate));
    }
}
