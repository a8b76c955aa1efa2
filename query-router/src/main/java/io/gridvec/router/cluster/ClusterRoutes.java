package io.gridvec.router.cluster;

import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.registry.Readiness;
import io.gridvec.shard.registry.ShardRegistry;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/cluster} (nodes, baseline, and per collection the owners and shard states of every partition) and
 * {@code GET /ready} (200 once the cluster is active, every partition this node owns has a ready shard and its index
 * lag is under its bound; 503 with the progress until then), and {@code GET /v1/collections/{name}/consistency} (the
 * replica check: each partition's copies compared across its owners).
 */
public final class ClusterRoutes implements RestRoutes {

    private final CollectionCatalog catalog;
    private final ClusterView view;
    private final ShardRegistry shards;

    /** Serves the cluster seen through {@code view}, and this node's readiness from its {@code shards}. */
    public ClusterRoutes(CollectionCatalog catalog, ClusterView view, ShardRegistry shards) {
        this.catalog = catalog;
        this.view = view;
        this.shards = shards;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v1/cluster", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>(view.topology());
            // An inactive cluster has no readable catalog yet; its nodes and baseline are still worth showing.
            body.put("collections", "ACTIVE".equals(body.get("state")) ? view.partitions(catalog.list()) : Map.of());
            RestServer.json(ctx, 200, body);
        });
        routes.get("/v1/collections/{name}/consistency", ctx -> RestServer.json(ctx, 200,
                view.consistency(catalog.require(ctx.pathParam("name")))));
        routes.get("/ready", ctx -> {
            Readiness readiness = shards.readiness();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", readiness.ready() ? "READY" : "NOT_READY");
            body.put("clusterActive", readiness.active());
            body.put("shards", Map.of("ready", readiness.readyShards(), "owned", readiness.ownedShards()));
            body.put("building", readiness.building());
            Map<String, Object> lag = new LinkedHashMap<>();
            lag.put("records", readiness.lagRecords());
            lag.put("bytes", readiness.lagBytes());
            lag.put("atBound", readiness.lagAtBound());
            body.put("indexLag", lag);
            body.put("failures", readiness.failures());
            RestServer.json(ctx, readiness.ready() ? 200 : 503, body);
        });
    }
}
