package io.gridvec.grid.node;

import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.router.security.ApiKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.ignite.Ignite;

/**
 * The first admin key of a cluster with security on: the secret an operator chose, from the environment's
 * {@value #VARIABLE} or else the file {@code security.adminKeyFile}, stored (hashed) when the cluster is active and
 * has no admin key yet ({@link ClusterFormation} runs it once the cluster is active). Once the cluster has one, the
 * variable and the file are ignored. Stateless.
 */
final class InitialAdminKey {

    /** The environment variable holding the first admin key. */
    static final String VARIABLE = "GRIDVEC_ADMIN_KEY";

    private static final System.Logger LOG = System.getLogger(InitialAdminKey.class.getName());

    private InitialAdminKey() {}

    /** Returns the secret the operator gave for the first admin key, or null when none was given. */
    static String secret(GridvecConfig config, Map<String, String> environment) {
        String fromEnvironment = environment.get(VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        String file = config.security().adminKeyFile();
        if (file.isBlank()) {
            return null;
        }
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("security.adminKeyFile " + file + " cannot be read", e);
        }
    }

    /**
     * Stores {@code secret} (null: none given) as the admin key unless the cluster has one; says in the log what it
     * did, and warns when the cluster has no admin key and none was given. Needs an active cluster.
     */
    static void store(Ignite ignite, String secret) {
        ApiKeys keys = new ApiKeys(ignite);
        if (secret != null && keys.createInitialAdmin(secret)) {
            LOG.log(System.Logger.Level.INFO, "Stored the first admin key (id " + ApiKeys.INITIAL_ADMIN + ") from "
                    + VARIABLE + " or security.adminKeyFile");
        } else if (!keys.hasAdmin()) {
            LOG.log(System.Logger.Level.WARNING, "Security is on and the cluster has no admin key: no request but "
                    + "GET /health can succeed. Start a node with " + VARIABLE + " or security.adminKeyFile set");
        }
    }
}
