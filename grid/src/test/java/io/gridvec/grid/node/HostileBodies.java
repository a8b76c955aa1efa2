package io.gridvec.grid.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Request bodies of the body-taking endpoints, each a valid-looking request with exactly one field replaced by a value
 * that field must refuse (or an unknown field added): wrong types, floats for integers, NaN and Infinity, huge and
 * out-of-range numbers, deep nesting, oversize payloads and filters. Values are JSON text; ids never exist.
 */
final class HostileBodies {

    /** Values no integer field accepts, whatever its range (1.0 included: integers are JSON integers). */
    private static final List<String> NOT_INTEGERS = List.of("1.5", "\"3\"", "1e400", "true", "[4]", "{}", "4.0",
            "99999999999", "-99999999999", "1" + "0".repeat(99), "\"NaN\"", "\"Infinity\"", "-1e-400");
    private static final List<String> NOT_BOOLEANS = List.of("1", "0", "\"true\"", "\"yes\"", "[]", "{}", "1.5");

    private HostileBodies() {}

    static String collection(Random random) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("dimension", "8");
        body.put("metric", "\"cosine\"");
        body.put("partitions", "4");
        body.put("backups", "1");
        body.put("hnsw", "{\"m\": 16, \"efConstruction\": 100}");
        Map<String, List<String>> hostile = Map.of(
                "dimension", concat(NOT_INTEGERS, "0", "-1", "65537", "null"),
                "metric", List.of("5", "\"euclid\"", "\"\"", "null", "[\"cosine\"]", "true", "\"COSINE \""),
                "partitions", concat(NOT_INTEGERS, "0", "-1", "1025"),
                "backups", concat(NOT_INTEGERS, "-1", "4"),
                "hnsw", List.of("{\"m\": 1}", "{\"m\": 513}", "{\"m\": 1.5}", "{\"m\": 0}", "{\"efConstruction\": 0}",
                        "{\"efConstruction\": 10001}", "{\"efConstruction\": 2.5}", "{\"x\": 1}", "5", "[]",
                        "{\"m\": \"16\"}"));
        return mutate(random, body, hostile);
    }

    static String upsert(Random random) {
        Map<String, String> record = validRecord();
        Map<String, List<String>> hostile = Map.of(
                "id", List.of("\"\"", "\"" + "i".repeat(257) + "\"", "5", "null", "true", "[\"a\"]", "{}"),
                "vector", hostileVectors(),
                "payload", hostilePayloads());
        if (random.nextInt(5) == 0) {
            String other = random.nextBoolean() ? "[]" : random.nextBoolean() ? "[null]" : "5";
            if (random.nextBoolean()) {
                // 1,001 records: one over the batch limit.
                List<String> many = new ArrayList<>();
                for (int i = 0; i < 1_001; i++) {
                    many.add("{\"id\": \"zz-new-" + i + "\", \"vector\": " + vector(8) + "}");
                }
                other = "[" + String.join(", ", many) + "]";
            } else if (random.nextBoolean()) {
                other = "[" + object(record) + ", " + object(record) + "]"; // the same id twice
            }
            return "{\"records\": " + other + "}";
        }
        return "{\"records\": [" + mutate(random, record, hostile) + "]}";
    }

    static String deleteMany(Random random) {
        List<String> ids = List.of("[]", "\"zz\"", "[5]", "[\"\"]", "[null]", "[\"" + "i".repeat(257) + "\"]",
                "null", "{}", "[[\"zz\"]]", ids(1_001));
        return random.nextInt(6) == 0 ? "{\"ids\": [\"zz-none\"], \"zz\": 1}"
                : "{\"ids\": " + ids.get(random.nextInt(ids.size())) + "}";
    }

    static String patch(Random random) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("vector", vector(8));
        body.put("payload", "{\"a\": 1}");
        if (random.nextInt(6) == 0) {
            return random.nextBoolean() ? "{}" : "{\"vector\": null, \"payload\": null}";
        }
        return mutate(random, body, Map.of("vector", hostileVectors(), "payload", hostilePayloads()));
    }

    static String search(Random random) {
        return mutate(random, validSearch(), searchHostile());
    }

    static String batch(Random random) {
        if (random.nextInt(4) == 0) {
            List<String> searches = List.of("[]", "[null]", "5", "{}", "[5]", "null", "[" + String.join(", ",
                    java.util.Collections.nCopies(101, object(validSearch()))) + "]");
            return "{\"searches\": " + searches.get(random.nextInt(searches.size())) + "}";
        }
        return "{\"searches\": [" + object(validSearch()) + ", " + mutate(random, validSearch(), searchHostile())
                + "]}";
    }

    static String snapshot(Random random) {
        List<String> names = new ArrayList<>();
        for (String name : HostileRequests.HOSTILE_NAMES) {
            if (!name.matches("[A-Za-z0-9_]{1,64}")) { // "DOCS" and "1abc" are valid snapshot names
                names.add("\"" + name + "\"");
            }
        }
        names.addAll(List.of("\"../../etc\"", "\"a/b\"", "\"x'; DROP TABLE t; --\"", "\"snap shot\"",
                "\"\u0455nap\"", "\"\"", "\"" + "s".repeat(65) + "\"", "5", "true", "[\"a\"]", "{}", "1.5",
                "\"snap\\u0000\""));
        String name = names.get(random.nextInt(names.size()));
        return random.nextInt(5) == 0 ? "{\"name\": \"zz_unused\", \"zz\": 1}" : "{\"name\": " + name + "}";
    }

    private static Map<String, String> validRecord() {
        Map<String, String> record = new LinkedHashMap<>();
        record.put("id", "\"zz-new\"");
        record.put("vector", vector(8));
        record.put("payload", "{\"lang\": \"en\"}");
        return record;
    }

    private static Map<String, String> validSearch() {
        Map<String, String> search = new LinkedHashMap<>();
        search.put("vector", vector(8));
        search.put("k", "5");
        search.put("ef", "50");
        search.put("filter", "{\"must\": [{\"field\": \"lang\", \"eq\": \"en\"}]}");
        search.put("includePayload", "true");
        return search;
    }

    private static Map<String, List<String>> searchHostile() {
        List<String> filters = new ArrayList<>(List.of("5", "\"lang\"", "[]", "{}", "{\"must\": []}",
                "{\"x\": 1}", "{\"must\": [{\"field\": \"a\", \"eq\": [1]}]}",
                "{\"must\": [{\"field\": \"a\", \"range\": {\"gt\": \"x\"}}]}",
                "{\"must\": [{\"field\": \"\", \"eq\": 1}]}", "{\"must\": [{\"field\": \"a\", \"eq\": 1e400}]}",
                "{\"must\": [{\"field\": \"a\", \"in\": " + ids(1_025) + "}]}",
                "{\"must\": [{\"field\": \"a\", \"eq\": 1, \"in\": [1]}]}",
                "{\"must\": [{\"field\": \"" + "f".repeat(257) + "\", \"eq\": 1}]}"));
        filters.add("{\"must\": [" + "{\"must\": [".repeat(4) + "{\"field\": \"a\", \"eq\": 1}" + "]}".repeat(4)
                + "]}"); // depth 5
        filters.add("{\"should\": [" + String.join(", ", java.util.Collections.nCopies(65,
                "{\"field\": \"a\", \"eq\": 1}")) + "]}"); // 65 clauses
        return Map.of(
                "vector", hostileVectors(),
                "k", concat(NOT_INTEGERS, "0", "-1", "10001"),
                "ef", concat(NOT_INTEGERS, "0", "-1", "10001"),
                "filter", filters,
                "includePayload", NOT_BOOLEANS,
                "exact", NOT_BOOLEANS,
                "cache", NOT_BOOLEANS);
    }

    private static List<String> hostileVectors() {
        return List.of("[]", vector(7), vector(9), "[\"NaN\", 0, 0, 0, 0, 0, 0, 0]",
                "[1e400, 0, 0, 0, 0, 0, 0, 0]", "[\"Infinity\", 0, 0, 0, 0, 0, 0, 0]", "[0, 0, 0, 0, 0, 0, 0, 0]",
                "[true, 0, 0, 0, 0, 0, 0, 0]", "[\"1\", 0, 0, 0, 0, 0, 0, 0]", "\"v\"", "5", "null",
                "[[1], 0, 0, 0, 0, 0, 0, 0]", "[null, 0, 0, 0, 0, 0, 0, 0]", "{}", vector(70_000));
    }

    private static List<String> hostilePayloads() {
        return List.of("[1]", "\"p\"", "5", "true", "{\"a\": 1e400}", "{\"a\": [1, -1e400]}",
                "{\"a\": " + "[".repeat(40) + "]".repeat(40) + "}",
                "{\"s\": \"" + "x".repeat(70_000) + "\"}");
    }

    private static String vector(int dimension) {
        StringBuilder vector = new StringBuilder("[");
        for (int i = 0; i < dimension; i++) {
            vector.append(i == 0 ? "" : ", ").append(i % 3 == 0 ? "0.5" : "0.25");
        }
        return vector.append(']').toString();
    }

    private static String ids(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add("\"zz-" + i + "\"");
        }
        return "[" + String.join(", ", ids) + "]";
    }

    /** Replaces one field of {@code valid} by one of its hostile values, or adds an unknown field. */
    private static String mutate(Random random, Map<String, String> valid, Map<String, List<String>> hostile) {
        Map<String, String> body = new LinkedHashMap<>(valid);
        if (random.nextInt(8) == 0) {
            body.put("zz_unknown", "1");
        } else {
            List<String> fields = new ArrayList<>(hostile.keySet());
            fields.sort(null); // Map.of has no stable order; the seed must replay the same requests
            String field = fields.get(random.nextInt(fields.size()));
            List<String> values = hostile.get(field);
            body.put(field, values.get(random.nextInt(values.size())));
        }
        return object(body);
    }

    private static String object(Map<String, String> members) {
        List<String> parts = new ArrayList<>();
        members.forEach((key, value) -> parts.add("\"" + key + "\": " + value));
        return "{" + String.join(", ", parts) + "}";
    }

    private static List<String> concat(List<String> values, String... more) {
        List<String> all = new ArrayList<>(values);
        all.addAll(List.of(more));
        return all;
    }
}
