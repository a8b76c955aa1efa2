package io.gridvec.router.collections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.router.cluster.ClusterView;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.IntegerField;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
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

/**
 * {@code PUT/GET/DELETE /v1/collections/{name}} and {@code GET /v1/collections}. Creating is idempotent for an equal
 * spec (200) and a conflict for a different one, or for a name whose cache is not a collection (409); invalid specs
 * answer 400 naming the field; a create or delete that waited too long for another one of the same name answers 503
 * with {@code Retry-After}. Thread-safe.
 */
public final class CollectionRoutes implements RestRoutes {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(CollectionRoutes.class.getName());

    private final CollectionCatalog catalog;
    private final ClusterView cluster;

    /** Serves the collections of {@code catalog}; {@code cluster} reports their shards. */
    public CollectionRoutes(CollectionCatalog catalog, ClusterView cluster) {
        this.catalog = catalog;
        this.cluster = cluster;
    }

    /**
     * The body of a create request; the name comes from the path; absent fields take their defaults. The integers are
     * read as JSON values so that {@link IntegerField} refuses floats and names the range.
     */
    record CreateRequest(JsonNode dimension, String metric, JsonNode partitions, JsonNode backups,
            HnswRequest hnsw, JsonNode ttlSeconds, JsonNode fields) {}

    /** The HNSW part of a create request. */
    record HnswRequest(JsonNode m, JsonNode efConstruction) {}

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/v1/collections/{name}", this::create, Permission.ADMIN);
        routes.get("/v1/collections/{name}", this::describe, Permission.READ);
        routes.delete("/v1/collections/{name}", this::drop, Permission.ADMIN);
        routes.get("/v1/collections", this::list, Permission.READ);
    }

    private void create(Context ctx) {
        String name = CollectionNames.fromPath(ctx);
        CreateRequest request = JsonBody.parse(ctx.body(), CreateRequest.class,
                "dimension, metric, partitions, backups, hnsw.m, hnsw.efConstruction, ttlSeconds, fields");
        int dimension = IntegerField.required(request.dimension(), "dimension", 1, HnswIndex.MAX_DIMENSION);
        if (request.metric() == null) {
            throw ApiException.invalid("metric", "metric is required (cosine, dot or l2)");
        }
        // An explicit 0 is refused here; only an absent value may become the default (0 below means "default").
        Integer partitions = IntegerField.optional(request.partitions(), "partitions", 1,
                CollectionSpec.MAX_PARTITIONS);
        Integer backups = IntegerField.optional(request.backups(), "backups", 0, CollectionSpec.MAX_BACKUPS);
        Integer ttlSeconds = IntegerField.optional(request.ttlSeconds(), "ttlSeconds", 0,
                (int) CollectionSpec.MAX_TTL_SECONDS);
        CollectionSpec spec;
        try {
            spec = new CollectionSpec(name, dimension, request.metric(), partitions == null ? 0 : partitions,
                    backups == null ? 1 : backups, hnsw(request.hnsw()), ttlSeconds == null ? 0 : ttlSeconds,
                    fields(request.fields())).validated();
        } catch (InvalidSpecException e) {
            throw ApiException.invalid(e.field(), e.getMessage());
        }
        try {
            CollectionCatalog.Created created = catalog.create(spec);
            if (created == CollectionCatalog.Created.CREATED) {
                LOG.log(System.Logger.Level.INFO, "Created collection " + JsonBody.write(spec));
            }
            RestServer.json(ctx, created == CollectionCatalog.Created.CREATED ? 201 : 200, spec);
        } catch (CollectionConflictException e) {
            String message = e.existing() == null ? e.getMessage()
                    : e.getMessage() + ": " + differences(e.existing(), spec);
            throw new ApiException(409, "CONFLICT", message, null);
        }
    }

    private void describe(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        Map<String, Object> body = new LinkedHashMap<>(JSON.convertValue(spec, Map.class));
        body.put("count", catalog.count(spec));
        // Where thin clients and SQL find the records (docs/sql-and-kv.md).
        body.put("cache", spec.cacheName());
        body.put("valueType", spec.layout().type());
        body.put("sqlTable", CollectionCatalog.SQL_SCHEMA + "." + spec.sqlTable());
        List<Map<String, Object>> partitions = cluster.partitions(List.of(spec)).getOrDefault(spec.name(), List.of());
        body.put("indexLag", indexLag(partitions));
        body.put("partitionStates", partitions);
        RestServer.json(ctx, 200, body);
    }

    /** Sums the writes every owner's shards have seen but not yet indexed. */
    private static Map<String, Long> indexLag(List<Map<String, Object>> partitions) {
        long records = 0;
        long bytes = 0;
        for (Map<String, Object> partition : partitions) {
            for (Object shard : (List<?>) partition.get("shards")) {
                Map<?, ?> status = (Map<?, ?>) shard;
                records += ((Number) status.get("pending")).longValue();
                bytes += ((Number) status.get("pendingBytes")).longValue();
            }
        }
        Map<String, Long> lag = new LinkedHashMap<>();
        lag.put("records", records);
        lag.put("bytes", bytes);
        return lag;
    }

    private void list(Context ctx) {
        RestServer.json(ctx, 200, Map.of("collections", catalog.list()));
    }

    private void drop(Context ctx) {
        String name = CollectionNames.fromPath(ctx);
        if (!catalog.drop(name)) {
            throw ApiException.notFound("no collection '" + name + "'");
        }
        LOG.log(System.Logger.Level.INFO, "Deleted collection '" + name + "' and all its records");
        RestServer.json(ctx, 200, Map.of("deleted", name));
    }

    /** The declared fields: a JSON object of field name to type name (the spec checks names and types). */
    private static Map<String, String> fields(JsonNode fields) {
        if (fields == null || fields.isNull()) {
            return null;
        }
        if (!fields.isObject()) {
            throw ApiException.invalid("fields", "fields must be a JSON object of field name to type (string, int, "
                    + "long, double, boolean)");
        }
        if (fields.size() > CollectionSpec.MAX_FIELDS) {
            throw ApiException.invalid("fields", "at most " + CollectionSpec.MAX_FIELDS + " fields may be declared, "
                    + "were " + fields.size());
        }
        Map<String, String> types = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : fields.properties()) {
            if (!field.getValue().isTextual()) {
                throw ApiException.invalid("fields." + field.getKey(), "fields." + field.getKey() + " must be a type"
                        + " name (string, int, long, double, boolean), was " + field.getValue().getNodeType());
            }
            types.put(field.getKey(), field.getValue().textValue());
        }
        return types;
    }

    /** Absent values become 0, which {@link CollectionSpec#validated()} replaces by the index's defaults. */
    private static CollectionSpec.Hnsw hnsw(HnswRequest request) {
        if (request == null) {
            return null;
        }
        Integer m = IntegerField.optional(request.m(), "hnsw.m", HnswIndex.MIN_M, HnswIndex.MAX_M);
        Integer efConstruction = IntegerField.optional(request.efConstruction(), "hnsw.efConstruction", 1,
                HnswIndex.MAX_EF);
        return new CollectionSpec.Hnsw(m == null ? 0 : m, efConstruction == null ? 0 : efConstruction);
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
        if (existing.ttlSeconds() != requested.ttlSeconds()) {
            fields.add("ttlSeconds " + existing.ttlSeconds());
        }
        if (!existing.fields().equals(requested.fields())) {
            fields.add("fields " + JsonBody.write(existing.fields()));
        }
        return "it has " + String.join(", ", fields);
    }
}
