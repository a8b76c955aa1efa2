package io.gridvec.loadtest.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Searches, upserts and deletes in a fixed ratio. Request {@code i}'s operation is chosen by a hash of {@code i}, so a
 * run is reproducible whatever the threads do. An upsert writes one new record {@code mixed-<i>} whose vector is a base
 * vector plus small noise (in the data set's distribution); a delete removes the oldest such record whose upsert was
 * acknowledged, so the base records that recall is measured against are never touched. Thread-safe.
 */
final class MixedWorkload implements Workload {

    /** The share of each operation, e.g. 90:9:1. */
    record Mix(int search, int upsert, int delete) {

        /**
         * Parses {@code "search,upsert,delete"} weights, e.g. {@code 90,9,1}.
         *
         * @throws IllegalArgumentException unless three non-negative integers with a positive sum
         */
        static Mix parse(String text) {
            String[] parts = text.split(",");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--mix must be search,upsert,delete weights such as 90,9,1, was "
                        + text);
            }
            try {
                Mix mix = new Mix(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()),
                        Integer.parseInt(parts[2].trim()));
                if (mix.search < 0 || mix.upsert < 0 || mix.delete < 0 || mix.total() == 0) {
                    throw new IllegalArgumentException("--mix weights must be at least 0 with a sum above 0, was "
                            + text);
                }
                return mix;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix weights must be integers, was " + text, e);
            }
        }

        int total() {
            return search + upsert + delete;
        }

        @Override
        public String toString() {
            return search + "," + upsert + "," + delete;
        }
    }

    private final SearchWorkload search;
    private final Mix mix;
    private final String collection;
    private final float[][] base;
    private final long seed;
    private final Queue<String> written = new ConcurrentLinkedQueue<>();

    MixedWorkload(SearchWorkload search, Mix mix, String collection, float[][] base, long seed) {
        this.search = search;
        this.mix = mix;
        this.collection = collection;
        this.base = base;
        this.seed = seed;
    }

    @Override
    public Call next(long sequence) {
        SplittableRandom random = new SplittableRandom(seed ^ (sequence * 0x9E3779B97F4A7C15L));
        int pick = random.nextInt(mix.total());
        if (pick < mix.search) {
            return search.next(sequence);
        }
        if (pick < mix.search + mix.upsert) {
            return upsert(sequence, random);
        }
        return delete();
    }

    private Call upsert(long sequence, SplittableRandom random) {
        float[] from = base[random.nextInt(base.length)];
        float[] vector = new float[from.length];
        for (int d = 0; d < vector.length; d++) {
            vector[d] = from[d] + (float) (0.01 * random.nextGaussian());
        }
        String id = "mixed-" + sequence;
        StringBuilder body = Vectors.appendRecord(new StringBuilder("{\"records\":["), id, vector).append("]}");
        return new Call("upsert", "PUT", "/v1/collections/" + collection + "/records",
                body.toString().getBytes(StandardCharsets.UTF_8), response -> written.add(id));
    }

    /** Takes every record this workload wrote and has not deleted yet (acknowledged upserts only). */
    List<String> drainWritten() {
        List<String> ids = new ArrayList<>();
        for (String id = written.poll(); id != null; id = written.poll()) {
            ids.add(id);
        }
        return ids;
    }

    private Call delete() {
        String id = written.poll();
        String body = "{\"ids\":[\"" + (id == null ? "mixed-none" : id) + "\"]}";
        return new Call("delete", "POST", "/v1/collections/" + collection + "/records/delete",
                body.getBytes(StandardCharsets.UTF_8), response -> { });
    }
}
