package io.gridvec.grid.tls;

import io.gridvec.grid.config.GridvecConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import javax.cache.configuration.Factory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a node's {@link SSLContext} from its {@code tls} section: its certificate and key from a PKCS12
 * {@code tls.keyStore} or from PEM {@code tls.certificate} and {@code tls.privateKey} files, the certificates it
 * trusts from a PKCS12 {@code tls.trustStore} or a PEM {@code tls.caCertificate} (the JDK's default trust when
 * neither is set). Stateless and thread-safe; every failure is a {@link TlsException} naming the key and the file.
 */
public final class NodeTls {

    private static final String ALIAS = "gridvec-node";

    private NodeTls() {}

    /**
     * Returns a TLS context with the node's key and trust material, read from disk now.
     *
     * @throws TlsException naming the key when a file is missing, unreadable, of the wrong format, has the wrong
     *     password, or when the private key does not belong to the certificate
     */
    public static SSLContext sslContext(GridvecConfig.Tls tls) {
        KeyStore keys = tls.keyStore().isBlank() ? pemKeyStore(tls) : loadStore("tls.keyStore", tls.keyStore(),
                "tls.keyStorePassword", tls.keyStorePassword());
        KeyStore trust = trustStore(tls);
        try {
            if (!hasKey(keys)) {
                throw new TlsException("tls.keyStore: " + tls.keyStore() + " holds no private key entry");
            }
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password(tls));
            TrustManagerFactory trustManagers = null;
            if (trust != null) {
                trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trustManagers.init(trust);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), trustManagers == null ? null : trustManagers.getTrustManagers(),
                    null);
            return context;
        } catch (UnrecoverableKeyException e) {
            throw new TlsException("tls.keyStorePassword: the key in tls.keyStore " + tls.keyStore()
                    + " cannot be read with it (a PKCS12 key needs the store's password)", e);
        } catch (GeneralSecurityException e) {
            throw new TlsException("tls: cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Returns Ignite's SSL context factory for this configuration: serializable (it keeps the paths and passwords)
     * and reading the files when Ignite calls {@code create()}.
     */
    public static Factory<SSLContext> igniteFactory(GridvecConfig.Tls tls) {
        return new IgniteSslFactory(tls);
    }

    private static char[] password(GridvecConfig.Tls tls) {
        return tls.keyStore().isBlank() ? ALIAS.toCharArray() : tls.keyStorePassword().toCharArray();
    }

    private static KeyStore pemKeyStore(GridvecConfig.Tls tls) {
        List<X509Certificate> chain = PemFiles.certificates("tls.certificate", Path.of(tls.certificate()));
        String algorithm = chain.get(0).getPublicKey().getAlgorithm();
        PrivateKey key = PemFiles.privateKey("tls.privateKey", Path.of(tls.privateKey()), algorithm);
        requireMatch(tls, chain.get(0), key);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, ALIAS.toCharArray(), chain.toArray(X509Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("tls.privateKey: cannot hold the key of " + tls.privateKey() + " with the chain of "
                    + tls.certificate() + " (" + e.getMessage() + ")", e);
        }
    }

    /** Signs and verifies a probe, so a key of another certificate fails here and not in a peer's handshake. */
    private static void requireMatch(GridvecConfig.Tls tls, X509Certificate certificate, PrivateKey key) {
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = "gridvec".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new TlsException("tls.privateKey: " + tls.privateKey() + " is not the key of the first "
                        + "certificate in tls.certificate " + tls.certificate());
            }
        } catch (GeneralSecurityException e) {
            throw new TlsException("tls.privateKey: " + tls.privateKey() + " cannot sign with " + algorithm + " ("
                    + e.getMessage() + ")", e);
        }
    }

    private static KeyStore trustStore(GridvecConfig.Tls tls) {
        if (!tls.trustStore().isBlank()) {
            KeyStore store = loadStore("tls.trustStore", tls.trustStore(), "tls.trustStorePassword",
                    tls.trustStorePassword());
            requireCertificate(store, "tls.trustStore", tls.trustStore());
            return store;
        }
        if (tls.caCertificate().isBlank()) {
            return null;
        }
        List<X509Certificate> certificates = PemFiles.certificates("tls.caCertificate", Path.of(tls.caCertificate()));
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsException("tls.caCertificate: cannot trust " + tls.caCertificate() + " (" + e.getMessage()
                    + ")", e);
        }
    }

    private static KeyStore loadStore(String key, String file, String passwordKey, String password) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new TlsException(passwordKey + ": wrong password for " + key + " " + file, e);
            }
            throw new TlsException(key + ": not a readable PKCS12 store: " + file + " (" + e.getMessage() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new TlsException(key + ": not a PKCS12 store: " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static boolean hasKey(KeyStore store) throws GeneralSecurityException {
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static void requireCertificate(KeyStore store, String key, String file) {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias)) {
                    return;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsException(key + ": cannot list " + file + " (" + e.getMessage() + ")", e);
        }
        throw new TlsException(key + ": " + file + " holds no trusted certificate (import the CA with keytool "
                + "-importcert)");
    }
}
