package io.gridvec.grid.node;

import java.util.UUID;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.authentication.IgniteAccessControlException;
import org.apache.ignite.internal.processors.security.IgniteSecurity;
import org.apache.ignite.internal.processors.security.OperationSecurityContext;
import org.apache.ignite.internal.processors.security.SecurityContext;
import org.apache.ignite.plugin.security.AuthenticationContext;
import org.apache.ignite.plugin.security.SecurityCredentials;
import org.apache.ignite.plugin.security.SecuritySubjectType;

/**
 * Gives Ignite's built-in user {@code ignite} the password {@code security.clientPassword}, which thin clients and JDBC
 * then log in with (Ignite creates the user with the password {@code ignite}). Idempotent: every node runs it once the
 * cluster is active; the cluster stores the password in its metastorage, so it survives restarts. Stateless and
 * thread-safe.
 *
 * <p>Ignite 2.17 changes passwords through SQL ({@code ALTER USER}) or its internal security processor only, and the
 * node has no SQL engine; so this is the one place that uses Ignite's internals for it: it logs in as {@code ignite}
 * with the old password and changes it in that user's security context (a change made in the node's own context is
 * refused: "User management operations initiated on behalf of the Ignite node are not expected").
 */
final class ClientPassword {

    static final String USER = "ignite";
    private static final String DEFAULT_PASSWORD = "ignite";
    private static final System.Logger LOG = System.getLogger(ClientPassword.class.getName());

    private ClientPassword() {}

    /**
     * Makes {@code password} the password of user {@code ignite}, unless it already is; needs an active cluster.
     *
     * @throws IllegalStateException when neither {@code password} nor the default password logs in (the cluster keeps
     *     another password: the one an earlier {@code security.clientPassword} set), or when the change fails
     */
    static void apply(Ignite ignite, String password) {
        IgniteSecurity security = ((IgniteEx) ignite).context().security();
        if (logIn(security, password) != null) {
            return;
        }
        SecurityContext admin = logIn(security, DEFAULT_PASSWORD);
        // Every node runs this once the cluster is active: another node may have changed it between the two logins.
        if (admin == null && logIn(security, password) != null) {
            return;
        }
        if (admin == null) {
            throw new IllegalStateException("security.clientPassword is not the password of Ignite's user ignite in "
                    + "this cluster, and the default password no longer works: the cluster keeps the password a node "
                    + "set before; give every node that same security.clientPassword");
        }
        try (OperationSecurityContext ignored = security.withContext(admin)) {
            security.alterUser(USER, password.toCharArray());
        } catch (IgniteCheckedException e) {
            throw new IllegalStateException("cannot set the password of Ignite's user ignite from "
                    + "security.clientPassword: " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "Set the password of Ignite's user ignite (thin clients and JDBC) from "
                + "security.clientPassword; the default password no longer works");
    }

    /** Returns the security context of user {@code ignite} with {@code password}, or null when it is refused. */
    private static SecurityContext logIn(IgniteSecurity security, String password) {
        AuthenticationContext login = new AuthenticationContext();
        login.subjectType(SecuritySubjectType.REMOTE_CLIENT);
        login.subjectId(UUID.randomUUID());
        login.credentials(new SecurityCredentials(USER, password));
        try {
            return security.authenticate(login);
        } catch (IgniteAccessControlException e) {
            // A refused login: the caller tries the other password or reports both.
            LOG.log(System.Logger.Level.DEBUG, "user ignite refused with one candidate password: " + e.getMessage());
            return null;
        } catch (IgniteCheckedException e) {
            throw new IllegalStateException("cannot log in as Ignite's user ignite to check security.clientPassword: "
                    + e.getMessage(), e);
        }
    }
}
