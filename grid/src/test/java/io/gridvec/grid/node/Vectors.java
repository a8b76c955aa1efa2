package io.gridvec.grid.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test vectors: random ones, exact l2 top-k over a map of records, and upsert bodies. */
final class Vectors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Vectors() {}

    static float[] randomVector(Random random, int dimension) {
        float[] vector = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            vector[d] = random.nextFloat();
        }
        return vector;
    }

    /** The ids of the {@code k} records nearest {@code query} by l2, nearest first. */
    static List<String> exactTop(Map<String, float[]> records, float[] query, int k) {
        return records.entrySet().stream()
                .sorted(Comparator.comparingDouble(entry -> l2(query, entry.getValue())))
                .limit(k).map(Map.Entry::getKey).toList();
    }

    static double l2(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return sum;
    }

    /** The body of {@code PUT /v1/collections/{name}/records} for {@code records}. */
    static String upsertBody(Map<String, float[]> records) throws IOException {
        List<Map<String, Object>> array = new ArrayList<>(records.size());
        records.forEach((id, vector) -> array.add(Map.of("id", id, "vector", vector)));
        return JSON.writeValueAsString(Map.of("records", array)); // float[] written directly: no tree per record
    }

    /** The {@code p} quantile of sorted nanoseconds, in milliseconds. */
    static double percentile(long[] sortedNanos, double p) {
        return sortedNanos[Math.min(sortedNanos.length - 1, (int) (sortedNanos.length * p))] / 1e6;
    }
}
