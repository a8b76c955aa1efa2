package io.gridvec.router.cluster;

import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /v1/cluster}: nodes, baseline, and per collection the owners and shard states of every partition. */
public final class ClusterRoutes implements RestRoutes {

    private final CollectionCatalog catalog;
    private final ClusterView view;

    /** Serves the cluster seen through {@code view}. */
    public ClusterRoutes(CollectionCatalog catalog, ClusterView view) {
        this.catalog = catalog;
        this.view = view;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/v1/cluster", ctx -> {
            Map<String, Object> body = new LinkedHashMap<>(view.topology());
            // An inactive cluster has no readable catalog yet; its nodes and baseline are still worth showing.
            body.put("collections", "ACTIVE".equals(body.get("state")) ? view.partitions(catalog.list()) : Map.of());
            RestServer.json(ctx, 200, body);
        });
    }
}
