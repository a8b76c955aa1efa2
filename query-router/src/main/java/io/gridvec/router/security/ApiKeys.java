package io.gridvec.router.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.shard.catalog.SystemCaches;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.ScanQuery;

/**
 * The cluster's API keys, in two replicated persistent system caches: {@code gv_keys} holds each key's id, role,
 * collections and rate limit; {@code gv_key_secrets} maps the SHA-256 of each valid secret to its key's id and, for a
 * secret retired by a rotation with a grace period, the time it stops working. Secrets themselves are never stored:
 * they are shown once, when made. A secret is 32 random bytes, so a plain SHA-256 cannot be reversed by guessing.
 * Writes are FULL_SYNC: once a revocation or rotation returns, every node refuses the old secret. Thread-safe.
 */
public final class ApiKeys {

    static final String KEYS = "gv_keys";
    static final String SECRETS = "gv_key_secrets";
    /** The id of the admin key made at a cluster's first start from {@code GRIDVEC_ADMIN_KEY} or a file. */
    public static final String INITIAL_ADMIN = "initial-admin";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ignite ignite;

    /**
     * One API key as stored: its id, role, the collections it is restricted to (empty: all), its own rate limit (0:
     * its role's), and when it was made (epoch milliseconds).
     */
    public record ApiKey(String id, Role role, List<String> collections, int perSecond, int burst, long createdAtMs) {}

    /** A key just made or rotated: its id and its secret, which is never shown again. */
    public record Issued(String id, String key) {}

    /** The key store of the cluster of {@code ignite}. */
    public ApiKeys(Ignite ignite) {
        this.ignite = ignite;
    }

    /** Makes a key with a new random secret. */
    public Issued create(Role role, List<String> collections, int perSecond, int burst) {
        String id = HexFormat.of().formatHex(randomBytes(8));
        ApiKey key = new ApiKey(id, role, List.copyOf(collections), perSecond, burst, System.currentTimeMillis());
        String secret = newSecret();
        keys().put(id, json(key));
        secrets().put(hash(secret), new Secret(id, 0).encode());
        return new Issued(id, secret);
    }

    /**
     * Makes the first admin key, id {@value #INITIAL_ADMIN}, from a secret the operator chose, unless the cluster has
     * an admin key already.
     *
     * @return whether the key was made
     */
    public boolean createInitialAdmin(String secret) {
        if (list().stream().anyMatch(key -> key.role() == Role.ADMIN)) {
            return false;
        }
        ApiKey key = new ApiKey(INITIAL_ADMIN, Role.ADMIN, List.of(), 0, 0, System.currentTimeMillis());
        if (!keys().putIfAbsent(INITIAL_ADMIN, json(key))) {
            return false;
        }
        secrets().put(hash(secret), new Secret(INITIAL_ADMIN, 0).encode());
        return true;
    }

    /** Returns whether the cluster has at least one admin key. */
    public boolean hasAdmin() {
        return list().stream().anyMatch(key -> key.role() == Role.ADMIN);
    }

    /** Returns every key, by id. */
    public List<ApiKey> list() {
        List<ApiKey> all = new ArrayList<>();
        try (var cursor = keys().query(new ScanQuery<String, String>())) {
            for (Cache.Entry<String, String> entry : cursor) {
                all.add(parse(entry.getValue()));
            }
        }
        all.sort((a, b) -> a.id().compareTo(b.id()));
        return all;
    }

    /** Returns the key of that id, if it exists. */
    public Optional<ApiKey> get(String id) {
        String json = keys().get(id);
        return json == null ? Optional.empty() : Optional.of(parse(json));
    }

    /**
     * Returns the key whose secret is {@code secret}, if there is one and the secret has not been retired; reads
     * this node's copies only.
     */
    public Optional<ApiKey> authenticate(String secret) {
        String hash = hash(secret);
        String encoded = secrets().get(hash);
        if (encoded == null) {
            return Optional.empty();
        }
        Secret found = Secret.decode(encoded);
        if (found.expiresAtMs() != 0 && found.expiresAtMs() <= System.currentTimeMillis()) {
            secrets().remove(hash, encoded);
            return Optional.empty();
        }
        return get(found.keyId());
    }

    /**
     * Revokes a key: its secrets stop working on every node when this returns.
     *
     * @return whether the key existed
     */
    public boolean revoke(String id) {
        boolean existed = keys().remove(id);
        removeSecrets(id, 0);
        return existed;
    }

    /**
     * Gives a key a new secret; its current secrets stop working now ({@code graceSeconds} 0) or after
     * {@code graceSeconds}.
     *
     * @return the new secret; empty when there is no such key
     */
    public Optional<Issued> rotate(String id, long graceSeconds) {
        if (get(id).isEmpty()) {
            return Optional.empty();
        }
        String secret = newSecret();
        long retireAt = graceSeconds == 0 ? 0 : System.currentTimeMillis() + graceSeconds * 1_000;
        removeSecrets(id, retireAt);
        secrets().put(hash(secret), new Secret(id, 0).encode());
        return Optional.of(new Issued(id, secret));
    }

    /** Removes the key's secrets, or, with {@code retireAtMs} > 0, makes them stop working then. */
    private void removeSecrets(String id, long retireAtMs) {
        IgniteCache<String, String> secrets = secrets();
        List<Cache.Entry<String, String>> own = new ArrayList<>();
        try (var cursor = secrets.query(new ScanQuery<String, String>(
                (hash, value) -> Secret.decode(value).keyId().equals(id)))) {
            cursor.forEach(own::add);
        }
        for (Cache.Entry<String, String> entry : own) {
            Secret secret = Secret.decode(entry.getValue());
            if (retireAtMs == 0) {
                secrets.remove(entry.getKey());
            } else if (secret.expiresAtMs() == 0 || secret.expiresAtMs() > retireAtMs) {
                secrets.put(entry.getKey(), new Secret(id, retireAtMs).encode());
            }
        }
    }

    /** A secret's hash entry: whose it is and when it stops working (0: never). */
    private record Secret(String keyId, long expiresAtMs) {
        String encode() {
            return keyId + "|" + expiresAtMs;
        }

        static Secret decode(String encoded) {
            int bar = encoded.lastIndexOf('|');
            return new Secret(encoded.substring(0, bar), Long.parseLong(encoded.substring(bar + 1)));
        }
    }

    private static String newSecret() {
        return "gv_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** Returns the hex SHA-256 of a secret. */
    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private IgniteCache<String, String> keys() {
        return SystemCaches.replicated(ignite, KEYS);
    }

    private IgniteCache<String, String> secrets() {
        return SystemCaches.replicated(ignite, SECRETS);
    }

    private static String json(ApiKey key) {
        try {
            return JSON.writeValueAsString(key);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an API key record cannot be written as JSON", e);
        }
    }

    private static ApiKey parse(String json) {
        try {
            return JSON.readValue(json, ApiKey.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the key store holds a record that is not an API key: " + json, e);
        }
    }
}
