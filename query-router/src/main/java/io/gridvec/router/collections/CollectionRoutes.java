package io.gridvec.router.collections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.ClusterNotReadyException;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionConflictException;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.catalog.InvalidSpecException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code PUT/GET/DELETE /v1/collections/{name}} and {@code GET /v1/collections}. Creating is idempotent for an equal
 * spec (200) and a conflict for a different one (409); invalid specs answer 400 naming the field. Thread-safe.
 */
public final class CollectionRoutes implements RestRoutes {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private final CollectionCatalog catalog;

    /** Serves the collections of {@code catalog}. */
    public CollectionRoutes(CollectionCatalog catalog) {
        this.catalog = catalog;
    }

    /** The body of a create request; the name comes from the path; absent fields take their defaults. */
    record CreateRequest(Integer dimension, String metric, Integer partitions, Integer backups, HnswRequest hnsw) {}

    /** The HNSW part of a create request. */
    record HnswRequest(Integer m, Integer efConstruction) {}

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/v1/collections/{name}", ctx -> guarded(ctx, this::create));
        routes.get("/v1/collections/{name}", ctx -> guarded(ctx, this::describe));
        routes.delete("/v1/collections/{name}", ctx -> guarded(ctx, this::drop));
        routes.get("/v1/collections", ctx -> guarded(ctx, this::list));
    }

    private void create(Context ctx) {
        CreateRequest request = parse(ctx.body());
        if (request.dimension() == null) {
            throw ApiException.invalid("dimension", "dimension is required");
        }
        if (request.metric() == null) {
            throw ApiException.invalid("metric", "metric is required (cosine, dot or l2)");
        }
        CollectionSpec spec;
        try {
            spec = new CollectionSpec(ctx.pathParam("name"), request.dimension(), request.metric(),
                    request.partitions() == null ? 0 : request.partitions(),
                    request.backups() == null ? 1 : request.backups(), hnsw(request.hnsw())).validated();
        } catch (InvalidSpecException e) {
            throw ApiException.invalid(e.field(), e.getMessage());
        }
        try {
            CollectionCatalog.Created created = catalog.create(spec);
            RestServer.json(ctx, created == CollectionCatalog.Created.CREATED ? 201 : 200, spec);
        } catch (CollectionConflictException e) {
            throw new ApiException(409, "CONFLICT", e.getMessage() + ": " + differences(e.existing(), spec), null);
        }
    }

    private void describe(Context ctx) {
        CollectionSpec spec = catalog.get(ctx.pathParam("name"))
                .orElseThrow(() -> ApiException.notFound("no collection '" + ctx.pathParam("name") + "'"));
        Map<String, Object> body = new LinkedHashMap<>(JSON.convertValue(spec, Map.class));
        body.put("count", catalog.count(spec));
        RestServer.json(ctx, 200, body);
    }

    private void list(Context ctx) {
        RestServer.json(ctx, 200, Map.of("collections", catalog.list()));
    }

    private void drop(Context ctx) {
        String name = ctx.pathParam("name");
        if (!catalog.drop(name)) {
            throw ApiException.notFound("no collection '" + name + "'");
        }
        RestServer.json(ctx, 200, Map.of("deleted", name));
    }

    /** Absent values become 0, which {@link CollectionSpec#validated()} replaces by the index's defaults. */
    private static CollectionSpec.Hnsw hnsw(HnswRequest request) {
        return request == null ? null : new CollectionSpec.Hnsw(
                request.m() == null ? 0 : request.m(),
                request.efConstruction() == null ? 0 : request.efConstruction());
    }

    /** Maps the catalog's "not ready" to 503, so a client knows to retry. */
    private static void guarded(Context ctx, Consumer<Context> handler) {
        try {
            handler.accept(ctx);
        } catch (ClusterNotReadyException e) {
            throw new ApiException(503, "UNAVAILABLE", e.getMessage(), null);
        }
    }

    private static CreateRequest parse(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.invalid(null, "the body must be a JSON object with dimension and metric");
        }
        try {
            return JSON.readValue(body, CreateRequest.class);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(e.getPropertyName(), "unknown field '" + e.getPropertyName()
                    + "' (known: dimension, metric, partitions, backups, hnsw.m, hnsw.efConstruction)");
        } catch (JsonMappingException e) {
            String field = e.getPath().stream().map(JsonMappingException.Reference::getFieldName)
                    .collect(Collectors.joining("."));
            throw ApiException.invalid(field.isEmpty() ? null : field,
                    (field.isEmpty() ? "the body" : field) + " has the wrong type or shape");
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String differences(CollectionSpec existing, CollectionSpec requested) {
        List<String> fields = new ArrayList<>();
        if (existing.dimension() != requested.dimension()) {
            fields.add("dimension " + existing.dimension());
        }
        if (!existing.metric().equals(requested.metric())) {
            fields.add("metric " + existing.metric());
        }
        if (existing.partitions() != requested.partitions()) {
            fields.add("partitions " + existing.partitions());
        }
        if (existing.backups() != requested.backups()) {
            fields.add("backups " + existing.backups());
        }
        if (!existing.hnsw().equals(requested.hnsw())) {
            fields.add("hnsw " + existing.hnsw().m() + "/" + existing.hnsw().efConstruction());
        }
        return "it has " + String.join(", ", fields);
    }
}
