package io.gridvec.router.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.gridvec.router.collections.CollectionNames;
import io.gridvec.router.records.VectorCheck;
import io.gridvec.router.rest.ApiException;
import io.gridvec.router.rest.IntegerField;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.rest.JsonBody;
import io.gridvec.router.rest.RestRoutes;
import io.gridvec.router.rest.RestServer;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/collections/{name}/search} and {@code .../search/batch}: validates the queries, runs them through
 * the {@link SearchRouter} and answers the hits with whether they came from the result cache and how many partitions
 * were searched; {@code GET /v1/search/cache} shows this node's result cache. Thread-safe.
 */
public final class SearchRoutes implements RestRoutes {

    /** The largest k (and ef). */
    public static final int MAX_K = 10_000;
    /** The k of a query that names none. */
    public static final int DEFAULT_K = 10;
    /** The most queries in one batch. */
    public static final int MAX_BATCH = 100;
    private static final String FIELDS = "vector, k, ef, filter, includePayload, includeVector, exact, cache";

    private final CollectionCatalog catalog;
    private final SearchRouter router;
    private final RecallEstimator recall;

    /**
     * Serves searches over {@code catalog}'s collections through {@code router}, offering each answer to
     * {@code recall} for sampling.
     */
    public SearchRoutes(CollectionCatalog catalog, SearchRouter router, RecallEstimator recall) {
        this.catalog = catalog;
        this.router = router;
        this.recall = recall;
    }

    /** One search; k and ef are read as JSON values so that {@link IntegerField} refuses floats and names the range. */
    record SearchRequest(float[] vector, JsonNode k, JsonNode ef, JsonNode filter, Boolean includePayload,
            Boolean includeVector, Boolean exact, Boolean cache) {

        /** Whether the result cache may answer this search and keep its answer (true unless the request says no). */
        boolean useCache() {
            return !Boolean.FALSE.equals(cache);
        }
    }

    record BatchRequest(List<SearchRequest> searches) {}

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/collections/{name}/search", this::search, Permission.READ);
        routes.post("/v1/collections/{name}/search/batch", this::batch, Permission.READ);
        routes.get("/v1/search/cache", ctx -> RestServer.json(ctx, 200, router.resultCacheStats()),
                Permission.READ);
    }

    private void search(Context ctx) {
        long started = System.nanoTime();
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        SearchRequest request = JsonBody.parse(ctx.body(), SearchRequest.class, FIELDS);
        SearchQuery query = query(request, spec, "");
        SearchRouter.Answer answer = run(spec, new SearchQuery[] {query}, new boolean[] {request.useCache()});
        recall.offer(spec, query, answer.hits().get(0), answer.cached().get(0));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hits", hits(answer.hits().get(0), request));
        body.put("cached", answer.cached().get(0));
        body.put("tookMs", (System.nanoTime() - started) / 1_000_000);
        body.put("partitions", partitions(answer));
        RestServer.json(ctx, 200, body);
    }

    private void batch(Context ctx) {
        long started = System.nanoTime();
        CollectionSpec spec = catalog.require(CollectionNames.fromPath(ctx));
        BatchRequest request = JsonBody.parse(ctx.body(), BatchRequest.class, "searches[] (each: " + FIELDS + ")");
        List<SearchRequest> searches = request.searches();
        if (searches == null || searches.isEmpty()) {
            throw ApiException.invalid("searches", "searches must be a non-empty array");
        }
        if (searches.size() > MAX_BATCH) {
            throw ApiException.invalid("searches", "searches may hold at most " + MAX_BATCH + " queries, had "
                    + searches.size());
        }
        SearchQuery[] queries = new SearchQuery[searches.size()];
        boolean[] useCache = new boolean[queries.length];
        for (int i = 0; i < queries.length; i++) {
            if (searches.get(i) == null) {
                throw ApiException.invalid("searches[" + i + "]", "searches[" + i + "] must be an object");
            }
            queries[i] = query(searches.get(i), spec, "searches[" + i + "].");
            useCache[i] = searches.get(i).useCache();
        }
        SearchRouter.Answer answer = run(spec, queries, useCache);
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < queries.length; i++) {
            recall.offer(spec, queries[i], answer.hits().get(i), answer.cached().get(i));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("hits", hits(answer.hits().get(i), searches.get(i)));
            result.put("cached", answer.cached().get(i));
            results.add(result);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("results", results);
        body.put("tookMs", (System.nanoTime() - started) / 1_000_000);
        body.put("partitions", partitions(answer));
        RestServer.json(ctx, 200, body);
    }

    private static Map<String, Integer> partitions(SearchRouter.Answer answer) {
        Map<String, Integer> partitions = new LinkedHashMap<>();
        partitions.put("searched", answer.searched());
        partitions.put("total", answer.total());
        return partitions;
    }

    private SearchRouter.Answer run(CollectionSpec spec, SearchQuery[] queries, boolean[] useCache) {
        try {
            return router.search(spec, queries, useCache);
        } catch (PartitionsUnavailableException e) {
            throw new ApiException(503, "UNAVAILABLE", e.getMessage(), null);
        }
    }

    private static SearchQuery query(SearchRequest request, CollectionSpec spec, String prefix) {
        float[] vector = VectorCheck.check(request.vector(), spec, prefix + "vector");
        Integer k = IntegerField.optional(request.k(), prefix + "k", 1, MAX_K);
        Integer ef = IntegerField.optional(request.ef(), prefix + "ef", 1, MAX_K);
        String filter = FilterField.check(request.filter(), prefix);
        return new SearchQuery(vector, k == null ? DEFAULT_K : k, ef == null ? 0 : ef, filter,
                Boolean.TRUE.equals(request.exact()),
                Boolean.TRUE.equals(request.includePayload()), Boolean.TRUE.equals(request.includeVector()));
    }

    private static List<Map<String, Object>> hits(List<SearchHit> hits, SearchRequest request) {
        List<Map<String, Object>> out = new ArrayList<>(hits.size());
        for (SearchHit hit : hits) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", hit.id());
            entry.put("score", hit.score());
            if (Boolean.TRUE.equals(request.includePayload())) {
                entry.put("payload", JsonBody.tree(hit.payload()));
            }
            if (Boolean.TRUE.equals(request.includeVector())) {
                entry.put("vector", hit.vector());
            }
            out.add(entry);
        }
        return out;
    }
}
