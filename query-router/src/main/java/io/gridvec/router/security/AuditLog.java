package io.gridvec.router.security;

import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.RestServer;
import io.gridvec.router.security.ApiKeys.ApiKey;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The audit log: one JSON line per administrative request, per write request and per request refused by
 * {@link AccessControl}, to the logger {@value #LOGGER} (the node writes it to a file of its own). A line says who
 * (key id and role, client address), what (method, route, its path parameters), when, the result (HTTP status, and
 * why access was refused) and the request id; never a body, so never a secret or a vector. Stateless and thread-safe.
 */
public final class AuditLog {

    /** The logger the audit lines go to. */
    public static final String LOGGER = "gridvec.audit";

    private static final System.Logger AUDIT = System.getLogger(LOGGER);

    private AuditLog() {}

    /** Writes the audit line of an answered request, when it is one the audit log records. */
    public static void record(Context ctx) {
        String refused = ctx.attribute(AccessControl.REFUSED);
        Endpoint endpoint = ctx.endpoints().lastHttpEndpoint();
        Permission permission = endpoint == null ? null : AccessControl.permission(ctx.routeRoles());
        boolean recorded = refused != null || permission == Permission.WRITE || permission == Permission.ADMIN;
        if (!recorded || !AUDIT.isLoggable(System.Logger.Level.INFO)) {
            return;
        }
        ApiKey key = ctx.attribute(AccessControl.KEY);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", refused != null ? "refused" : permission == Permission.ADMIN ? "admin" : "write");
        line.put("requestId", ctx.res().getHeader(RestServer.REQUEST_ID));
        line.put("client", ctx.ip());
        line.put("keyId", key == null ? null : key.id());
        line.put("role", key == null ? null : key.role().apiName());
        line.put("method", ctx.method().name());
        line.put("route", endpoint != null ? endpoint.path : ctx.attribute(AccessControl.ROUTE));
        line.put("path", ctx.path());
        if (endpoint != null && !ctx.pathParamMap().isEmpty()) {
            line.put("params", ctx.pathParamMap());
        }
        line.put("status", ctx.statusCode());
        if (refused != null) {
            line.put("reason", refused);
        }
        AUDIT.log(System.Logger.Level.INFO, JsonBody.write(line));
    }
}
