package io.gridvec.router.security;

import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.router.security.ApiKeys.ApiKey;
import io.gridvec.router.security.ApiKeys.Issued;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API key endpoints, all for admins: {@code POST /v1/keys} makes a key and shows its secret once,
 * {@code GET /v1/keys} lists them (never a secret), {@code DELETE /v1/keys/{id}} revokes one and
 * {@code POST /v1/keys/{id}/rotate} gives one a new secret. Thread-safe.
 */
public final class KeyRoutes implements RestRoutes {

    private static final System.Logger LOG = System.getLogger(KeyRoutes.class.getName());
    private static final Pattern COLLECTION = Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");
    private static final int MAX_COLLECTIONS = 1_000;
    private static final int MAX_RATE = 1_000_000;
    private static final long MAX_GRACE_SECONDS = 7 * 24 * 3_600;

    private final ApiKeys keys;

    /** Serves the keys of {@code keys}. */
    public KeyRoutes(ApiKeys keys) {
        this.keys = keys;
    }

    /** The body of a create request. */
    record CreateRequest(String role, List<String> collections, RateLimit rateLimit) {}

    /** A key's own rate limit. */
    record RateLimit(Integer perSecond, Integer burst) {}

    /** The optional body of a rotate request: how long the old secret keeps working (0, the default: not at all). */
    record RotateRequest(Long graceSeconds) {}

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/keys", this::create, Permission.ADMIN);
        routes.get("/v1/keys", ctx -> RestServer.json(ctx, 200, Map.of("keys",
                keys.list().stream().map(KeyRoutes::view).toList())), Permission.ADMIN);
        routes.delete("/v1/keys/{id}", this::revoke, Permission.ADMIN);
        routes.post("/v1/keys/{id}/rotate", this::rotate, Permission.ADMIN);
    }

    private void create(Context ctx) {
        CreateRequest request = JsonBody.parse(ctx.body(), CreateRequest.class, "role, collections, rateLimit");
        Role role = request.role() == null ? null : Role.ofApiName(request.role());
        if (role == null) {
            throw ApiException.invalid("role", "role must be one of reader, writer, admin, was "
                    + (request.role() == null ? "missing" : "'" + request.role() + "'"));
        }
        List<String> collections = request.collections() == null ? List.of() : request.collections();
        if (collections.size() > MAX_COLLECTIONS) {
            throw ApiException.invalid("collections", "collections may name at most " + MAX_COLLECTIONS
                    + " collections, was " + collections.size());
        }
        for (int i = 0; i < collections.size(); i++) {
            String name = collections.get(i);
            if (name == null || !COLLECTION.matcher(name).matches()) {
                throw ApiException.invalid("collections[" + i + "]", "collections[" + i + "] must match "
                        + COLLECTION.pattern() + ", was " + (name == null ? "null" : "'" + name + "'"));
            }
        }
        int perSecond = 0;
        int burst = 0;
        if (request.rateLimit() != null) {
            perSecond = rate("rateLimit.perSecond", request.rateLimit().perSecond());
            burst = request.rateLimit().burst() == null ? perSecond : rate("rateLimit.burst",
                    request.rateLimit().burst());
        }
        Issued issued = keys.create(role, collections, perSecond, burst);
        LOG.log(System.Logger.Level.INFO, "Made API key " + issued.id() + " (role " + role.apiName() + ")");
        Map<String, Object> answer = view(keys.get(issued.id()).orElseThrow());
        answer.put("key", issued.key());
        RestServer.json(ctx, 201, answer);
    }

    private void revoke(Context ctx) {
        String id = ctx.pathParam("id");
        if (!keys.revoke(id)) {
            throw ApiException.notFound("no API key with id '" + id + "'");
        }
        LOG.log(System.Logger.Level.INFO, "Revoked API key " + id);
        RestServer.json(ctx, 200, Map.of("id", id, "revoked", true));
    }

    private void rotate(Context ctx) {
        String id = ctx.pathParam("id");
        String body = ctx.body();
        Long grace = body.isBlank() ? null : JsonBody.parse(body, RotateRequest.class, "graceSeconds")
                .graceSeconds();
        long graceSeconds = grace == null ? 0 : grace;
        if (graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
            throw ApiException.invalid("graceSeconds", "graceSeconds must be in [0, " + MAX_GRACE_SECONDS
                    + "], was " + graceSeconds);
        }
        Issued issued = keys.rotate(id, graceSeconds).orElseThrow(
                () -> ApiException.notFound("no API key with id '" + id + "'"));
        LOG.log(System.Logger.Level.INFO, "Rotated API key " + id + "; its old secret "
                + (graceSeconds == 0 ? "stopped working" : "works for " + graceSeconds + " s more"));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("key", issued.key());
        answer.put("oldKeyValidUntil", graceSeconds == 0 ? null
                : Instant.now().plusSeconds(graceSeconds).toString());
        RestServer.json(ctx, 200, answer);
    }

    private static int rate(String field, Integer value) {
        if (value == null || value < 1 || value > MAX_RATE) {
            throw ApiException.invalid(field, field + " must be an integer in [1, " + MAX_RATE + "], was " + value);
        }
        return value;
    }

    private static Map<String, Object> view(ApiKey key) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", key.id());
        view.put("role", key.role().apiName());
        view.put("collections", key.collections());
        view.put("rateLimit", key.perSecond() == 0 ? null : Map.of("perSecond", key.perSecond(), "burst",
                key.burst()));
        view.put("createdAt", Instant.ofEpochMilli(key.createdAtMs()).toString());
        return view;
    }
}
