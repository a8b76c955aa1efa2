package io.gridvec.grid.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: X.509 certificates ({@code BEGIN CERTIFICATE}, several make a chain) and an
 * unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}, RSA or EC), as {@code openssl genpkey} and
 * {@code openssl req -newkey -noenc} write them. Stateless and thread-safe.
 */
final class PemFiles {

    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern OTHER_KEY = Pattern.compile("-----BEGIN ((RSA |EC |ENCRYPTED )PRIVATE KEY)-----");

    private PemFiles() {}

    /**
     * Returns the certificates in {@code file}, in file order (a node's own certificate first, then its issuers).
     *
     * @throws TlsException naming {@code key} when the file cannot be read or holds no X.509 certificate
     */
    static List<X509Certificate> certificates(String key, Path file) {
        byte[] bytes = read(key, file);
        try {
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certificates.isEmpty()) {
                throw new TlsException(key + ": no X.509 certificate in PEM file " + file);
            }
            return certificates;
        } catch (CertificateException e) {
            throw new TlsException(key + ": not a PEM X.509 certificate file: " + file + " (" + e.getMessage() + ")",
                    e);
        }
    }

    /**
     * Returns the PKCS#8 private key in {@code file}, of the algorithm of the certificate it belongs to.
     *
     * @param algorithm the certificate's public key algorithm ({@code RSA} or {@code EC})
     * @throws TlsException naming {@code key} when the file cannot be read, is not an unencrypted PKCS#8 PEM key, or
     *     is not a key of {@code algorithm}
     */
    static PrivateKey privateKey(String key, Path file, String algorithm) {
        String text = new String(read(key, file), StandardCharsets.US_ASCII);
        Matcher matcher = PRIVATE_KEY.matcher(text);
        if (!matcher.find()) {
            Matcher other = OTHER_KEY.matcher(text);
            String found = other.find() ? " (found a '" + other.group(1) + "'; convert it with: openssl pkcs8 "
                    + "-topk8 -nocrypt -in KEY -out KEY.pk8)" : "";
            throw new TlsException(key + ": not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----): " + file
                    + found);
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new TlsException(key + ": not a PKCS#8 " + algorithm + " private key matching tls.certificate: "
                    + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] read(String key, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TlsException(key + ": cannot read " + file + " (" + e + ")", e);
        }
    }
}
