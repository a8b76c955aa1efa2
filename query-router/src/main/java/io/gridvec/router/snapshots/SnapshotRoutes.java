package io.gridvec.router.snapshots;

import io.gridvec.router.collections.CollectionNames;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionConflictException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.catalog.Snapshots;
import io.gridvec.shard.catalog.Snapshots.Snapshot;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.ignite.IgniteException;

/**
 * Backups: {@code POST /v1/snapshots} takes a cluster-wide snapshot, {@code GET /v1/snapshots[/{name}]} lists them,
 * {@code POST /v1/snapshots/{name}/restore} brings dropped collections back from one. A restore refuses (409, naming
 * it) a collection that exists. Thread-safe.
 */
public final class SnapshotRoutes implements RestRoutes {

    /** Ignite's rule for snapshot names (letters, digits, underscores), with a length bound. */
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_]{1,64}$");
    private static final DateTimeFormatter DEFAULT_NAME = DateTimeFormatter.ofPattern("'snapshot_'yyyyMMdd_HHmmss_SSS")
            .withZone(ZoneOffset.UTC);

    private static final System.Logger LOG = System.getLogger(SnapshotRoutes.class.getName());

    private final CollectionCatalog catalog;
    private final Snapshots snapshots;

    /** Serves the snapshots of the cluster whose collections are {@code catalog}'s. */
    public SnapshotRoutes(CollectionCatalog catalog, Snapshots snapshots) {
        this.catalog = catalog;
        this.snapshots = snapshots;
    }

    /** The optional body of a create request. */
    record CreateRequest(String name) {}

    /** The optional body of a restore request: the collections to restore (all of the snapshot's when absent). */
    record RestoreRequest(List<String> collections) {}

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/snapshots", this::create, Permission.ADMIN);
        routes.get("/v1/snapshots", ctx -> RestServer.json(ctx, 200, Map.of("snapshots",
                snapshots.list().stream().map(SnapshotRoutes::view).toList())), Permission.ADMIN);
        routes.get("/v1/snapshots/{name}", ctx -> RestServer.json(ctx, 200, view(require(ctx.pathParam("name")))),
                Permission.ADMIN);
        routes.post("/v1/snapshots/{name}/restore", this::restore, Permission.ADMIN);
    }

    private void create(Context ctx) {
        String body = ctx.body();
        String given = body.isBlank() ? null : checkName(JsonBody.parse(body, CreateRequest.class, "name").name());
        String name = given == null ? DEFAULT_NAME.format(Instant.now()) : given;
        Snapshot snapshot;
        try {
            snapshot = snapshots.create(name).orElseThrow(() -> new ApiException(409, "CONFLICT",
                    "a snapshot named '" + name + "' exists", "name"));
        } catch (IgniteException e) {
            throw failed("snapshot '" + name + "' failed", e);
        }
        LOG.log(System.Logger.Level.INFO, "Took snapshot '" + name + "' of " + view(snapshot).get("collections"));
        RestServer.json(ctx, 201, view(snapshot));
    }

    private void restore(Context ctx) {
        Snapshot snapshot = require(ctx.pathParam("name"));
        List<String> wanted = wanted(ctx.body());
        if (snapshot.state() != Snapshots.State.DONE) {
            throw new ApiException(409, "CONFLICT", "snapshot '" + snapshot.name() + "' is " + snapshot.state()
                    + "; only a DONE snapshot can be restored", null);
        }
        Map<String, CollectionSpec> held = new LinkedHashMap<>();
        snapshot.collections().forEach(spec -> held.put(spec.name(), spec));
        List<CollectionSpec> chosen = new ArrayList<>();
        for (String name : wanted == null ? List.copyOf(held.keySet()) : wanted) {
            CollectionSpec spec = held.get(name);
            if (spec == null) {
                throw ApiException.invalid("collections", "snapshot '" + snapshot.name() + "' holds no collection '"
                        + name + "'; it holds " + held.keySet());
            }
            if (catalog.get(name).isPresent()) {
                throw conflict(name);
            }
            chosen.add(spec);
        }
        List<String> restored = new ArrayList<>();
        for (CollectionSpec spec : chosen) {
            try {
                snapshots.restore(snapshot, spec);
            } catch (CollectionConflictException e) {
                throw new ApiException(409, "CONFLICT", e.getMessage() + restoredSoFar(restored), "collections");
            } catch (IgniteException e) {
                throw failed("restoring collection '" + spec.name() + "' from snapshot '" + snapshot.name()
                        + "' failed" + restoredSoFar(restored), e);
            }
            restored.add(spec.name());
            LOG.log(System.Logger.Level.INFO, "Restored collection '" + spec.name() + "' from snapshot '"
                    + snapshot.name() + "'");
        }
        RestServer.json(ctx, 200, Map.of("snapshot", snapshot.name(), "restored", restored));
    }

    /** Returns the collections a restore body names, each checked, or null (all of them) for no body. */
    private static List<String> wanted(String body) {
        List<String> wanted = body.isBlank() ? null
                : JsonBody.parse(body, RestoreRequest.class, "collections").collections();
        if (wanted != null) {
            if (wanted.isEmpty()) {
                throw ApiException.invalid("collections", "collections must name at least one collection (leave "
                        + "it out to restore all of them)");
            }
            for (int i = 0; i < wanted.size(); i++) {
                CollectionNames.check(wanted.get(i), "collections[" + i + "]");
            }
        }
        return wanted;
    }

    private Snapshot require(String name) {
        checkName(name);
        return snapshots.get(name).orElseThrow(() -> ApiException.notFound("no snapshot named '" + name + "'"));
    }

    /** Returns {@code name} (null stays null) when it follows {@link #NAME}, else refuses it with a 400. */
    private static String checkName(String name) {
        if (name != null && !NAME.matcher(name).matches()) {
            throw ApiException.invalid("name", "name must match " + NAME.pattern() + ", was '"
                    + (name.length() <= 80 ? name : name.substring(0, 80) + "...") + "' (" + name.length()
                    + " characters)");
        }
        return name;
    }

    private static ApiException conflict(String collection) {
        return new ApiException(409, "CONFLICT", "collection '" + collection + "' exists; drop it before restoring it"
                + " (Ignite restores only a cache that does not exist)", "collections");
    }

    private static String restoredSoFar(List<String> restored) {
        return restored.isEmpty() ? "" : " (restored before it: " + restored + ")";
    }

    /** Ignite's refusal (another snapshot operation runs, a node left, files missing): its message, no trace. */
    private static ApiException failed(String what, IgniteException e) {
        return new ApiException(500, "SNAPSHOT_FAILED", what + ": " + e.getMessage(), null);
    }

    private static Map<String, Object> view(Snapshot snapshot) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", snapshot.name());
        view.put("createdAt", Instant.ofEpochMilli(snapshot.createdAtMs()).toString());
        view.put("state", snapshot.state().name());
        view.put("collections", snapshot.collections().stream().map(CollectionSpec::name).toList());
        if (snapshot.error() != null) {
            view.put("error", snapshot.error());
        }
        return view;
    }
}
