package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.loadtest.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The cluster's search endpoint as an {@link Engine}, one request per search, so ef can be tuned with the same
 * {@code EfTuner} as an in-process index; past the result cache, like {@link SearchWorkload}. Thread-safe.
 */
final class RestEngine implements Engine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RestTargets targets;
    private final String path;

    RestEngine(RestTargets targets, String collection) {
        this.targets = targets;
        this.path = "/v1/collections/" + collection + "/search";
    }

    @Override
    public String name() {
        return "cluster";
    }

    /** Returns 0: the cluster was built before this engine existed. */
    @Override
    public double buildSeconds() {
        return 0;
    }

    @Override
    public int search(float[] query, int k, int ef, int[] ids) throws IOException {
        StringBuilder body = new StringBuilder("{\"k\":").append(k).append(",\"ef\":").append(ef)
                .append(",\"cache\":false,\"vector\":");
        Vectors.appendVector(body, query).append('}');
        RestTargets.Response response;
        try {
            response = targets.call("POST", path, body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while searching", e);
        }
        if (!response.ok()) {
            throw new IOException("POST " + path + " answered " + response.status() + ": " + response.body());
        }
        JsonNode hits = JSON.readTree(response.body()).path("hits");
        int n = Math.min(hits.size(), ids.length);
        for (int i = 0; i < n; i++) {
            ids[i] = SearchWorkload.basePosition(hits.get(i).path("id").asText());
        }
        return n;
    }

    /** Nothing to close: the targets belong to the run. */
    @Override
    public void close() {}
}
