package io.gridvec.grid.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generates requests every one of which the API must refuse with a 4xx: hostile path parameters, bodies on endpoints
 * that take none, and for the others a body that is malformed or that breaks exactly one rule of an otherwise valid
 * request. Never a valid write: a valid-looking base body is only sent with a mutation that makes it invalid, and no
 * generated id, collection or snapshot name exists except the collection {@link #COLLECTION} (which is only ever sent
 * with an invalid body). Deterministic for a given {@link Random}.
 */
final class HostileRequests {

    /** The collection the test creates and loads. */
    static final String COLLECTION = "docs";
    /** Its dimension. */
    static final int DIMENSION = 8;
    /** The one request with a body just over the 64 MiB limit. */
    static final int OVERSIZE_BYTES = 64 * 1024 * 1024 + 1;

    /** One request: method, path (already URL-encoded), content type (null for none) and body (null for none). */
    record Request(String method, String path, String contentType, String body, int bodyBytes) {
        @Override
        public String toString() {
            String shown = body == null ? "(no body)" : body.length() <= 300 ? body
                    : body.substring(0, 300) + "... (" + body.length() + " chars)";
            return method + " " + path + " [" + contentType + "] " + (bodyBytes > 0 ? bodyBytes + " bytes" : shown);
        }
    }

    /** Names that break the collection rule (and the snapshot and node rules), URL-encoded for a path. */
    static final List<String> HOSTILE_NAMES = List.of(
            "..%2F..%2Fetc", "..%2F..%2F..%2Fetc%2Fpasswd", "a%2Fb", "x'%3B%20DROP%20TABLE%20t%3B%20--",
            "a".repeat(300), "%E2%80%AEdocs", "%EF%BD%84%EF%BD%8F%EF%BD%83%EF%BD%93", "d%D0%BEcs", "DOCS",
            "docs%00", "docs%0A", "%20docs", "1abc", "docs%3Bselect", "%25%32%65%25%32%65", "..%5C..%5Cwin",
            "docs%2A", "gv_docs%27", "-docs", "docs.json");
    /** Ids that no record has, some of them too long or odd. */
    private static final List<String> HOSTILE_IDS = List.of(
            "zz-none", "a".repeat(257), "..%2F..%2Fetc", "x'%20OR%201%3D1%20--", "%00", "r0%20", "%E2%80%AEr1",
            "r".repeat(1_000));

    private static final List<String> CONTENT_TYPES = List.of("application/json", "text/plain",
            "application/x-www-form-urlencoded", "application/xml", "application/json; charset=utf-16",
            "application/octet-stream", "multipart/form-data; boundary=zz");

    private final Random random;
    private boolean oversizeSent;

    HostileRequests(Random random) {
        this.random = random;
    }

    /** Returns a request for {@code endpoint} ("METHOD /path/{param}") that must be refused. */
    Request next(String endpoint) {
        String method = endpoint.substring(0, endpoint.indexOf(' '));
        String template = endpoint.substring(endpoint.indexOf(' ') + 1);
        boolean hostilePath = template.contains("{") && random.nextInt(3) == 0;
        String path = path(template, hostilePath);
        String body;
        if (!oversizeSent && template.equals("/v1/collections/{name}/records")) {
            oversizeSent = true;
            return new Request(method, path, "application/json", null, OVERSIZE_BYTES);
        }
        if (takesNoBody(method, template)) {
            body = junk(); // non-empty: every such endpoint refuses a body
        } else if (hostilePath && !template.startsWith("/v1/snapshots")) {
            // Collection and record routes check the name before the body, so any body (even a valid one) is refused.
            body = random.nextBoolean() ? junk() : mutated(template);
        } else if (template.equals("/v1/snapshots/{name}/restore")) {
            body = random.nextBoolean() ? "" : junk(); // the snapshot name never exists: 400 or 404 whatever the body
        } else {
            body = random.nextInt(4) == 0 ? junk() : mutated(template);
            if (body.isBlank() && template.startsWith("/v1/snapshots")) {
                body = "{\"zz\": 1}"; // an empty body is a valid snapshot request
            }
        }
        return new Request(method, path, contentType(), body, 0);
    }

    private static boolean takesNoBody(String method, String template) {
        return method.equals("GET") || method.equals("DELETE") || template.endsWith("/stop")
                || template.startsWith("/v1/cluster/baseline/");
    }

    private String path(String template, boolean hostile) {
        String path = template;
        if (path.contains("{name}")) {
            String name;
            if (hostile) {
                name = pick(HOSTILE_NAMES);
            } else if (path.startsWith("/v1/snapshots")) {
                name = "nosuch_snapshot_" + random.nextInt(1000);
            } else {
                name = random.nextInt(4) == 0 ? "nosuch-" + random.nextInt(1000) : COLLECTION;
            }
            path = path.replace("{name}", name);
        }
        path = path.replace("{id}", pick(HOSTILE_IDS));
        return path.replace("{node}", random.nextBoolean() ? pick(HOSTILE_NAMES) : "no-such-node");
    }

    private String contentType() {
        return random.nextInt(3) == 0 ? (random.nextInt(4) == 0 ? null : pick(CONTENT_TYPES)) : "application/json";
    }

    /** A body no endpoint accepts: malformed, deeply nested, a random tree with unknown keys, or the wrong shape. */
    String junk() {
        return switch (random.nextInt(9)) {
            case 0 -> pick(List.of("not json", "<xml/>", "{'a': 1}", "{\"a\": 1", "{\"a\": }", "}{", "nul",
                    "{\"a\": 1} trailing", "\u0000\u0001", "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": 01}"));
            case 1 -> "[".repeat(10_000) + "]".repeat(10_000);
            case 2 -> "{\"a\": " + "{\"b\": ".repeat(200) + "1" + "}".repeat(201);
            case 3 -> randomTree(4).replaceFirst("^\\{", "{\"zz_unknown\": 0, ");
            case 4 -> pick(List.of("[]", "42", "\"text\"", "true", "null", "[{}]", "1e400", "-0"));
            case 5 -> "{\"zz_" + random.nextInt(100) + "\": " + randomTree(3) + "}";
            case 6 -> "{\"k\": 1" + "0".repeat(150) + "}";
            case 7 -> " " + "{\"zz\": \"" + "x".repeat(random.nextInt(5_000)) + "\"}";
            default -> "garbage-" + Long.toHexString(random.nextLong());
        };
    }

    private String randomTree(int depth) {
        int kind = depth == 0 ? random.nextInt(4) : random.nextInt(6);
        return switch (kind) {
            case 0 -> String.valueOf(random.nextInt());
            case 1 -> String.format(Locale.ROOT, "%.3e", random.nextDouble() * Math.pow(10, random.nextInt(600)));
            case 2 -> "\"" + Long.toString(random.nextLong(), 36) + "\"";
            case 3 -> pick(List.of("true", "false", "null"));
            case 4 -> {
                List<String> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(randomTree(depth - 1));
                }
                yield "[" + String.join(", ", items) + "]";
            }
            default -> {
                List<String> members = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    members.add("\"zz" + random.nextInt(50) + "\": " + randomTree(depth - 1));
                }
                yield "{" + String.join(", ", members) + "}";
            }
        };
    }

    /** A valid-looking body for the endpoint with exactly one rule broken. */
    private String mutated(String template) {
        if (template.equals("/v1/collections/{name}")) {
            return HostileBodies.collection(random);
        }
        if (template.endsWith("/records")) {
            return HostileBodies.upsert(random);
        }
        if (template.endsWith("/records/delete")) {
            return HostileBodies.deleteMany(random);
        }
        if (template.endsWith("/records/{id}")) {
            return HostileBodies.patch(random);
        }
        if (template.endsWith("/search")) {
            return HostileBodies.search(random);
        }
        if (template.endsWith("/search/batch")) {
            return HostileBodies.batch(random);
        }
        if (template.equals("/v1/snapshots")) {
            return HostileBodies.snapshot(random);
        }
        return junk();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
