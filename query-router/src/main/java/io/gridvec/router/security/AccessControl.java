package io.gridvec.router.security;

import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.security.ApiKeys.ApiKey;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who may call what. With security on, every request but {@code GET /health} must carry an API key
 * ({@code Authorization: Bearer <key>} or {@code X-API-Key}): 401 without a valid one, 403 when the key's role lacks
 * the route's {@link Permission} or the key is restricted to other collections, 429 with {@code Retry-After} when the
 * key is over its rate limit. Failed authentications are limited per client address (429 once its burst is used up,
 * before the key is even looked at). With security off everything is allowed. Counts what it refuses; the
 * {@link AuditLog} records it. Thread-safe.
 */
public final class AccessControl implements RestRoutes {

    /** The context attribute holding the request's key, when it has one. */
    static final String KEY = "gridvec.key";
    /** The context attribute naming why a request was refused by this class, for the audit log. */
    static final String REFUSED = "gridvec.refused";
    /** The context attribute holding the route a refused request matched, for the audit log. */
    static final String ROUTE = "gridvec.route";

    private static final String BEARER = "Bearer ";
    private static final String COLLECTION_ROUTES = "/v1/collections/{name}";
    private static final int MAX_ADDRESSES = 10_000;

    private final ApiKeys keys;
    private final Settings settings;
    private final Map<String, TokenBucket> keyBuckets = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> addressBuckets = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();

    /**
     * The security settings: on or off, each role's default rate limit per key (per second 0: none), and the failed
     * authentications a client address may make per minute.
     */
    public record Settings(boolean enabled, Map<Role, Limit> limits, int authFailuresPerMinute) {
        /** Copies the limits. */
        public Settings {
            limits = Map.copyOf(new EnumMap<>(limits));
        }
    }

    /** A rate limit: requests per second and the burst allowed above it; per second 0 means no limit. */
    public record Limit(int perSecond, int burst) {}

    /** Checks requests against the keys of {@code keys}, as {@code settings} say. */
    public AccessControl(ApiKeys keys, Settings settings) {
        this.keys = keys;
        this.settings = settings;
        for (String reason : new String[] {"missing", "invalid", "forbidden", "blocked", "rate_limited"}) {
            refusals.put(reason, new LongAdder());
        }
    }

    /** Returns whether security is on. */
    public boolean enabled() {
        return settings.enabled();
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.before(this::authenticate);
        routes.beforeMatched(this::authorize);
    }

    /** Registers the refusal counters: {@code gridvec_auth_refused_total{reason}}. */
    public void bindTo(MeterRegistry registry) {
        refusals.forEach((reason, count) -> FunctionCounter.builder("gridvec.auth.refused", count, LongAdder::sum)
                .tag("reason", reason)
                .description("Requests refused by authentication, authorization or a rate limit, by reason: no "
                        + "key, an unknown key, a key without the permission, a client address over its failure "
                        + "limit, a key over its rate limit")
                .register(registry));
    }

    private void authenticate(Context ctx) {
        if (!settings.enabled() || ctx.path().equals("/health")) {
            return;
        }
        String address = ctx.ip();
        long now = System.nanoTime();
        String secret = secret(ctx);
        TokenBucket failures;
        synchronized (addressBuckets) {
            failures = addressBuckets.get(address);
        }
        long blocked = failures == null ? 0 : failures.secondsUntilToken(now);
        if (blocked > 0) {
            throw refuse(ctx, "blocked", 429, "TOO_MANY_REQUESTS", "too many failed authentications from " + address
                    + "; retry after " + blocked + " s", blocked);
        }
        ApiKey key = secret == null ? null : keys.authenticate(secret).orElse(null);
        if (key == null) {
            failureBucket(address, now).take(now);
            String reason = secret == null ? "missing" : "invalid";
            throw refuse(ctx, reason, 401, "UNAUTHENTICATED", secret == null
                    ? "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>"
                    : "the API key is not valid (unknown, revoked or retired)", 0);
        }
        ctx.attribute(KEY, key);
        Limit limit = key.perSecond() > 0 ? new Limit(key.perSecond(), key.burst())
                : settings.limits().getOrDefault(key.role(), new Limit(0, 0));
        if (limit.perSecond() > 0) {
            long wait = keyBuckets.computeIfAbsent(key.id() + "/" + limit,
                    id -> new TokenBucket(limit.perSecond(), limit.burst(), now)).take(now);
            if (wait > 0) {
                throw refuse(ctx, "rate_limited", 429, "TOO_MANY_REQUESTS", "key " + key.id() + " is over its rate "
                        + "limit of " + limit.perSecond() + " requests/s (burst " + limit.burst() + "); retry after "
                        + wait + " s", wait);
            }
        }
    }

    private void authorize(Context ctx) {
        if (!settings.enabled()) {
            return;
        }
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        ctx.attribute(ROUTE, endpoint.path);
        Permission needed = permission(ctx.routeRoles());
        if (needed == Permission.PUBLIC) {
            return;
        }
        ApiKey key = ctx.attribute(KEY);
        if (key == null) {
            // Only /health skips authentication, and it is PUBLIC: a route reached here without a key is a bug.
            throw new IllegalStateException(endpoint.method + " " + endpoint.path + " was reached without a key");
        }
        if (!key.role().allows(needed)) {
            throw refuse(ctx, "forbidden", 403, "PERMISSION_DENIED", "key " + key.id() + " (role "
                    + key.role().apiName() + ") may not call " + endpoint.method + " " + endpoint.path + ": it needs "
                    + "the " + needed.name().toLowerCase() + " permission", 0);
        }
        if (!key.collections().isEmpty()) {
            boolean collectionRoute = endpoint.path.startsWith(COLLECTION_ROUTES);
            String collection = collectionRoute ? collection(ctx.path()) : null;
            if (collection == null || !key.collections().contains(collection)) {
                throw refuse(ctx, "forbidden", 403, "PERMISSION_DENIED", "key " + key.id() + " is restricted to "
                        + "collections " + key.collections() + (collectionRoute ? "" : " and may only call their "
                        + "routes (" + COLLECTION_ROUTES + "...)"), 0);
            }
        }
    }

    /** Returns the collection named in a path of the {@code /v1/collections/{name}...} routes. */
    private static String collection(String path) {
        String rest = path.substring("/v1/collections/".length());
        int slash = rest.indexOf('/');
        return URLDecoder.decode(slash < 0 ? rest : rest.substring(0, slash), StandardCharsets.UTF_8);
    }

    /** Returns the one permission a route declares; {@code RestServer} refuses to start a route without one. */
    public static Permission permission(Set<?> roles) {
        for (Object role : roles) {
            if (role instanceof Permission permission) {
                return permission;
            }
        }
        throw new IllegalStateException("a route declares no permission: " + roles);
    }

    private ApiException refuse(Context ctx, String reason, int status, String code, String message,
            long retryAfterSeconds) {
        refusals.get(reason).increment();
        ctx.attribute(REFUSED, reason);
        if (retryAfterSeconds > 0) {
            ctx.header("Retry-After", String.valueOf(retryAfterSeconds));
        }
        return new ApiException(status, code, message, null);
    }

    /** Returns the bucket of {@code address}'s failed authentications, made on its first failure. */
    private TokenBucket failureBucket(String address, long now) {
        int perMinute = settings.authFailuresPerMinute();
        synchronized (addressBuckets) {
            return addressBuckets.computeIfAbsent(address, a -> new TokenBucket(perMinute / 60.0, perMinute, now));
        }
    }

    /** Returns the key the request carries, or null. */
    private static String secret(Context ctx) {
        String authorization = ctx.header("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String key = authorization.substring(BEARER.length()).trim();
            return key.isEmpty() ? null : key;
        }
        String key = ctx.header("X-API-Key");
        return key == null || key.isBlank() ? null : key.trim();
    }
}
