package io.gridvec.router.cluster;

import io.gridvec.router.collections.CollectionNames;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.registry.Readiness;
import io.gridvec.shard.registry.ShardRegistry;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/cluster} (nodes, baseline, rebalancing, and per collection the owners and shard states of every
 * partition), {@code PUT} and {@code DELETE /v1/cluster/baseline/{node}} (grow and shrink), {@code POST
 * /v1/cluster/stop} (stop every node), {@code POST /v1/node/stop} (stop this one), {@code GET /ready} (200 once the
 * cluster is active, this node is in the baseline, every partition it owns has a ready shard, none is still moving
 * here, and its index lag is under its bound; 503 with the progress and the reason until then), and {@code GET /v1/collections/{name}/consistency} (the
 * replica check: each partition's copies compared across its owners).
 */
public final class ClusterRoutes implements RestRoutes {

    /** How long {@code DELETE /v1/cluster/baseline/{node}} waits for a running node to stop. */
    private static final long REMOVE_WAIT_MS = 300_000;

    private final CollectionCatalog catalog;
    private final ClusterView view;
    private final ShardRegistry shards;
    private final Membership membership;
    private final String addCommand;

    /**
     * Serves the cluster seen through {@code view} and changed through {@code membership}, and this node's readiness
     * from its {@code shards}.
     *
     * @param addCommand the command that adds this node to the baseline, shown by {@code /ready} while it is outside
     */
    public ClusterRoutes(CollectionCatalog catalog, ClusterView view, ShardRegistry shards, Membership membership,
            String addCommand) {
        this.catalog = catalog;
        this.view = view;
        this.shards = shards;
        this.membership = membership;
        this.addCommand = addCommand;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v1/cluster", ctx -> {
            // An inactive cluster has no readable catalog yet; its nodes and baseline are still worth showing.
            List<CollectionSpec> collections = view.active() ? catalog.list() : List.of();
            Map<String, Object> body = new LinkedHashMap<>(view.topology(collections));
            body.put("collections", view.partitions(collections));
            RestServer.json(ctx, 200, body);
        }, Permission.READ);
        // These four change membership or stop nodes: a body they do not take is refused, so that no garbage
        // request can do either.
        routes.put("/v1/cluster/baseline/{node}", ctx -> {
            JsonBody.requireNone(ctx.body(), "PUT /v1/cluster/baseline/{node}");
            RestServer.json(ctx, 200, membership.add(ctx.pathParam("node")));
        }, Permission.ADMIN);
        routes.delete("/v1/cluster/baseline/{node}", ctx -> {
            JsonBody.requireNone(ctx.body(), "DELETE /v1/cluster/baseline/{node}");
            RestServer.json(ctx, 200, membership.remove(ctx.pathParam("node"), catalog.list(), REMOVE_WAIT_MS));
        }, Permission.ADMIN);
        routes.post("/v1/cluster/stop", ctx -> {
            JsonBody.requireNone(ctx.body(), "POST /v1/cluster/stop");
            RestServer.json(ctx, 202, membership.stopAll());
        }, Permission.ADMIN);
        routes.post("/v1/node/stop", ctx -> {
            JsonBody.requireNone(ctx.body(), "POST /v1/node/stop");
            RestServer.json(ctx, 202, membership.stopThisNode());
        }, Permission.ADMIN);
        routes.get("/v1/collections/{name}/consistency", ctx -> RestServer.json(ctx, 200,
                view.consistency(catalog.require(CollectionNames.fromPath(ctx)))), Permission.READ);
        routes.get("/ready", ctx -> {
            Readiness readiness = shards.readiness();
            boolean inBaseline = view.localInBaseline();
            boolean ready = readiness.ready() && inBaseline;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ready ? "READY" : "NOT_READY");
            body.put("clusterActive", readiness.active());
            body.put("inBaseline", inBaseline);
            if (readiness.active() && !inBaseline) {
                body.put("reason", "this node is not in the cluster's baseline and stores no data; add it with: "
                        + addCommand);
            }
            body.put("shards", Map.of("ready", readiness.readyShards(), "owned", readiness.ownedShards()));
            body.put("building", readiness.building());
            Map<String, Object> lag = new LinkedHashMap<>();
            lag.put("records", readiness.lagRecords());
            lag.put("bytes", readiness.lagBytes());
            lag.put("atBound", readiness.lagAtBound());
            body.put("indexLag", lag);
            body.put("failures", readiness.failures());
            RestServer.json(ctx, ready ? 200 : 503, body);
        }, Permission.READ);
    }
}
