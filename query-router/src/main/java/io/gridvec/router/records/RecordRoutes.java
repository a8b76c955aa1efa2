package io.gridvec.router.records;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridvec.router.collections.CollectionNames;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.IntegerField;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.router.search.FilterField;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.lag.LagBoard;
import io.gridvec.shard.record.RecordStore;
import io.gridvec.shard.record.StoredRecord;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The record endpoints of a collection: batch upsert ({@code PUT .../records}), read, patch and delete one
 * ({@code GET|PATCH|DELETE .../records/{id}}), delete many by id or by filter ({@code POST .../records/delete}) and
 * list them page by page ({@code POST .../records/scroll}). A request is
 * validated whole before anything is written, so a refused request changes nothing. Upserts and patches wait while an
 * owner of their records is at its index-lag bound, and are refused with 429 when it stays there. Thread-safe.
 */
public final class RecordRoutes implements RestRoutes {

    /** The most records (or ids) in one request. */
    public static final int MAX_BATCH = 1_000;
    /** The longest record id, in characters. */
    public static final int MAX_ID_LENGTH = 256;

    private final CollectionCatalog catalog;
    private final RecordStore store;
    private final LagBoard lag;

    /**
     * Serves the records of {@code catalog}'s collections through {@code store}; upserts and patches first pass
     * {@code lag}'s back-pressure check.
     */
    public RecordRoutes(CollectionCatalog catalog, RecordStore store, LagBoard lag) {
        this.catalog = catalog;
        this.store = store;
        this.lag = lag;
    }

    record UpsertRequest(List<RecordBody> records) {}

    record RecordBody(String id, float[] vector, JsonNode payload) {}

    record PatchRequest(float[] vector, JsonNode payload) {}

    record DeleteRequest(List<String> ids, JsonNode filter) {}

    record ScrollRequest(JsonNode filter, JsonNode limit, String cursor, Boolean includeVector) {}

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/v1/collections/{name}/records", this::upsert, Permission.WRITE);
        routes.post("/v1/collections/{name}/records/delete", this::deleteMany, Permission.WRITE);
        routes.post("/v1/collections/{name}/records/scroll", this::scroll, Permission.READ);
        routes.get("/v1/collections/{name}/records/{id}", this::get, Permission.READ);
        routes.patch("/v1/collections/{name}/records/{id}", this::patch, Permission.WRITE);
        routes.delete("/v1/collections/{name}/records/{id}", this::deleteOne, Permission.WRITE);
    }

    private void upsert(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        UpsertRequest request = JsonBody.parse(ctx.body(), UpsertRequest.class, "records[].id, records[].vector, "
                + "records[].payload");
        List<RecordBody> records = request.records();
        checkBatch(records, "records");
        List<StoredRecord> valid = new ArrayList<>(records.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < records.size(); i++) {
            String field = "records[" + i + "]";
            RecordBody record = records.get(i);
            if (record == null) {
                throw ApiException.invalid(field, field + " must be an object with id and vector");
            }
            String id = checkId(record.id(), field + ".id");
            if (!ids.add(id)) {
                throw ApiException.invalid(field + ".id", "id '" + id + "' appears twice in the batch");
            }
            float[] vector = VectorCheck.check(record.vector(), spec, field + ".vector");
            String payload = PayloadCheck.check(record.payload(), spec, field + ".payload");
            valid.add(new StoredRecord(id, vector, payload, 0));
        }
        lag.admit(spec.cacheName(), ids);
        store.upsert(spec, valid);
        RestServer.json(ctx, 200, Map.of("upserted", valid.size()));
    }

    private void get(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        String id = checkId(ctx.pathParam("id"), "id");
        StoredRecord record = store.get(spec, id).orElseThrow(() -> noRecord(spec, id));
        RestServer.json(ctx, 200, body(record));
    }

    private void patch(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        String id = checkId(ctx.pathParam("id"), "id");
        PatchRequest request = JsonBody.parse(ctx.body(), PatchRequest.class, "vector, payload");
        if (request.vector() == null && request.payload() == null) {
            throw ApiException.invalid(null, "a patch needs a vector, a payload, or both");
        }
        float[] vector = request.vector() == null ? null : VectorCheck.check(request.vector(), spec, "vector");
        if (request.payload() != null && !request.payload().isObject()) {
            throw ApiException.invalid("payload", "payload must be a JSON object (a merge patch: null members remove "
                    + "keys)");
        }
        String payloadPatch = request.payload() == null ? null : PayloadCheck.check(request.payload(), spec,
                "payload");
        lag.admit(spec.cacheName(), List.of(id));
        RecordStore.PatchResult result = store.patch(spec, id, vector, payloadPatch);
        switch (result.outcome()) {
            case ABSENT -> throw noRecord(spec, id);
            case PAYLOAD_TOO_LARGE -> throw ApiException.invalid("payload", "the merged payload would exceed "
                    + RecordStore.MAX_PAYLOAD_BYTES + " bytes of JSON");
            case PATCHED -> RestServer.json(ctx, 200, body(result.record()));
        }
    }

    private void deleteOne(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        String id = checkId(ctx.pathParam("id"), "id");
        if (store.delete(spec, List.of(id)) == 0) {
            throw noRecord(spec, id);
        }
        RestServer.json(ctx, 200, Map.of("deleted", 1));
    }

    private void deleteMany(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        DeleteRequest request = JsonBody.parse(ctx.body(), DeleteRequest.class, "ids, filter");
        boolean byFilter = request.filter() != null && !request.filter().isNull();
        if (byFilter == (request.ids() != null)) {
            throw ApiException.invalid(null, "a delete needs either ids (at most " + MAX_BATCH + ") or a filter, "
                    + "not both");
        }
        if (byFilter) {
            String filter = FilterField.check(request.filter(), "");
            RestServer.json(ctx, 200, Map.of("deleted", store.deleteMatching(spec, filter)));
            return;
        }
        checkBatch(request.ids(), "ids");
        for (int i = 0; i < request.ids().size(); i++) {
            checkId(request.ids().get(i), "ids[" + i + "]");
        }
        RestServer.json(ctx, 200, Map.of("deleted", store.delete(spec, request.ids())));
    }

    private void scroll(Context ctx) {
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        ScrollRequest request = JsonBody.parse(ctx.body(), ScrollRequest.class, "filter, limit, cursor, "
                + "includeVector");
        String filter = FilterField.check(request.filter(), "");
        int limit = IntegerField.required(request.limit(), "limit", 1, MAX_BATCH);
        RecordStore.Cursor after = request.cursor() == null ? null : ScrollCursor.decode(request.cursor(), spec);
        RecordStore.Page page = store.page(spec, filter, after, limit);
        boolean vectors = Boolean.TRUE.equals(request.includeVector());
        List<Map<String, Object>> records = new ArrayList<>(page.records().size());
        for (StoredRecord record : page.records()) {
            Map<String, Object> listed = body(record);
            if (!vectors) {
                listed.remove("vector");
            }
            records.add(listed);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("records", records);
        answer.put("nextCursor", page.next() == null ? null : ScrollCursor.encode(page.next()));
        RestServer.json(ctx, 200, answer);
    }

    private static void checkBatch(List<?> items, String field) {
        if (items == null || items.isEmpty()) {
            throw ApiException.invalid(field, field + " must be a non-empty array");
        }
        if (items.size() > MAX_BATCH) {
            throw ApiException.invalid(field, field + " may hold at most " + MAX_BATCH + " entries, had "
                    + items.size());
        }
    }

    private static String checkId(String id, String field) {
        if (id == null || id.isEmpty()) {
            throw ApiException.invalid(field, field + " is required and must be a non-empty string");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw ApiException.invalid(field, field + " must be at most " + MAX_ID_LENGTH + " characters, had "
                    + id.length());
        }
        return id;
    }

    private static Map<String, Object> body(StoredRecord record) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", record.id());
        body.put("vector", record.vector());
        body.put("payload", JsonBody.tree(record.payload()));
        body.put("version", record.version());
        return body;
    }

    private static ApiException noRecord(CollectionSpec spec, String id) {
        return ApiException.notFound("no record '" + id + "' in collection '" + spec.name() + "'");
    }
}
