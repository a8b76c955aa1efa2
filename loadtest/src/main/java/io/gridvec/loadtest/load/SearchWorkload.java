package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.loadtest.GroundTruth;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * Searches for the data set's queries in turn (request {@code i} asks for query {@code i mod queries}) and checks every
 * answer against the exact neighbours: {@link #recall()} is recall@k over all answers so far. Ids that are not base
 * positions (records a mixed load wrote) never count as hits. Every search asks past the nodes' result cache
 * ({@code "cache": false}): the queries repeat, and the load test measures searching, not the cache
 * ({@code gridvec bench cache} does). Thread-safe.
 */
final class SearchWorkload implements Workload {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String path;
    private final byte[][] bodies;
    private final GroundTruth truth;
    private final LongAdder hits = new LongAdder();
    private final LongAdder answers = new LongAdder();

    /**
     * @param ef the search beam width, or null for the collection's default
     */
    SearchWorkload(String collection, float[][] queries, int k, Integer ef, GroundTruth truth) {
        if (truth.queries() != queries.length || truth.k() != k) {
            throw new IllegalArgumentException("the ground truth covers " + truth.queries() + " queries at k "
                    + truth.k() + ", expected " + queries.length + " at k " + k);
        }
        this.path = "/v1/collections/" + collection + "/search";
        this.truth = truth;
        this.bodies = new byte[queries.length][];
        for (int q = 0; q < queries.length; q++) {
            StringBuilder body = new StringBuilder(queries[q].length * 12 + 60).append("{\"k\":").append(k);
            if (ef != null) {
                body.append(",\"ef\":").append(ef);
            }
            Vectors.appendVector(body.append(",\"cache\":false,\"vector\":"), queries[q]).append('}');
            bodies[q] = body.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public Call next(long sequence) {
        int query = (int) (sequence % bodies.length);
        return new Call("search", "POST", path, bodies[query], response -> check(query, response.body()));
    }

    /** Returns recall@k over every answer so far (NaN before the first). */
    double recall() {
        long n = answers.sum();
        return n == 0 ? Double.NaN : (double) hits.sum() / ((double) n * truth.k());
    }

    private void check(int query, String body) {
        JsonNode hitList;
        try {
            hitList = JSON.readTree(body).path("hits");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        int[] ids = new int[hitList.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = basePosition(hitList.get(i).path("id").asText());
        }
        hits.add(truth.hits(query, ids, ids.length));
        answers.increment();
    }

    /** The base position an id stands for, or -1 for an id the load test did not derive from one. */
    static int basePosition(String id) {
        if (id.isEmpty() || id.length() > 10) {
            return -1;
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') {
                return -1;
            }
        }
        long value = Long.parseLong(id);
        return value > Integer.MAX_VALUE ? -1 : (int) value;
    }
}
