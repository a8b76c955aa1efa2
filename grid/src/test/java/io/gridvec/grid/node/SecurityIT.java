package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.router.rest.Permission;
import io.gridvec.router.security.AuditLog;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security on a 3-node cluster: every route answers each role as the permission it declares says (the matrix is
 * generated from the node's route table), keys revoked or rotated on one node stop working on the others at once,
 * rate limits answer 429 with Retry-After, failed authentications from one address are cut off, restricted keys
 * reach only their collections, and the audit log records what it must without secrets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "test-admin-key-0123456789-abcdefghij";
    /** Substituted for every path parameter of the matrix: no collection, key, snapshot or node has that name. */
    private static final String ABSENT = "rbac-none";
    /** The failed authentications node 2 allows an address per minute (the others allow many: the matrix fails). */
    private static final int FAILURES_PER_MINUTE = 20;

    @TempDir
    static Path dataDir;

    private final GridNode[] nodes = new GridNode[3];
    private final List<String> secrets = new ArrayList<>();
    private final StringWriter audit = new StringWriter();
    private WriterAppender auditAppender;

    @BeforeAll
    void startSecureCluster() throws Exception {
        captureAudit();
        Path keyFile = dataDir.resolve("admin.key");
        Files.writeString(keyFile, ADMIN + "\n");
        secrets.add(ADMIN);
        GridvecConfig first = null;
        for (int i = 0; i < 3; i++) {
            GridvecConfig config = TestNodes.config(dataDir, "s" + i, 3);
            config = config.withSecurity(new GridvecConfig.Security(true, false, keyFile.toString(), 1_000, 2_000,
                    1_000, 2_000, 1_000, 2_000, i == 2 ? FAILURES_PER_MINUTE : 100_000, "", "client-password-1"));
            config = first == null ? config : TestNodes.joining(config, first);
            first = first == null ? config : first;
            nodes[i] = GridNode.start(config);
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> nodes[0].ignite().cluster().state().active());
        // The first node stores the admin key once the cluster is active, on a thread of its own.
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> send(0, "GET", "/v1/keys", null, ADMIN).statusCode() == 200);
        expect(send(0, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 4, "
                + "\"backups\": 1}", ADMIN), 201);
        expect(send(0, "PUT", "/v1/collections/other", "{\"dimension\": 2, \"metric\": \"l2\", \"partitions\": 2}",
                ADMIN), 201);
    }

    @AfterAll
    void stop() {
        TestNodes.stopAll(nodes);
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().removeLogger(AuditLog.LOGGER);
        context.updateLoggers();
        if (auditAppender != null) {
            auditAppender.stop();
        }
    }

    @Test
    void everyRouteAnswersEachRoleAsItsPermissionSays() throws Exception {
        Map<String, String> keys = Map.of("reader", create(0, "{\"role\": \"reader\"}"),
                "writer", create(0, "{\"role\": \"writer\"}"), "admin", create(0, "{\"role\": \"admin\"}"));
        Map<String, Permission> routes = nodes[0].restPermissions();
        assertThat(routes).containsEntry("GET /health", Permission.PUBLIC).containsEntry("POST /v1/keys",
                Permission.ADMIN).containsEntry("PUT /v1/collections/{name}/records", Permission.WRITE)
                .containsEntry("POST /v1/collections/{name}/search", Permission.READ);
        // docs/security.md's table of routes is the route table.
        Map<String, String> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z]+ /[^`]*)` \\| ([a-z]+) \\|$")
                .matcher(Files.readString(Path.of("..", "docs", "security.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        Map<String, String> served = new TreeMap<>();
        routes.forEach((route, permission) -> served.put(route, permission.name().toLowerCase(Locale.ROOT)));
        assertThat(documented).as("docs/security.md, Permissions by route").isEqualTo(served);
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Permission> route : routes.entrySet()) {
            String method = route.getKey().substring(0, route.getKey().indexOf(' '));
            String path = route.getKey().substring(method.length() + 1).replaceAll("\\{[a-z]+}", ABSENT);
            // A body no route accepts: a permitted call is refused by the handler (400) or finds nothing (404),
            // and changes nothing (the stop routes too refuse a body they do not understand).
            String body = method.equals("GET") || method.equals("DELETE") ? null : "{\"rbacProbe\": true}";
            Permission needed = route.getValue();
            for (String caller : List.of("none", "reader", "writer", "admin")) {
                int status = send(0, method, path, body, keys.get(caller)).statusCode();
                boolean ok;
                if (needed == Permission.PUBLIC) {
                    ok = status == 200;
                } else if (caller.equals("none")) {
                    ok = status == 401;
                } else if (allows(caller, needed)) {
                    ok = status != 401 && status != 403 && (status < 500 || route.getKey().equals("GET /ready"));
                } else {
                    ok = status == 403;
                }
                if (!ok) {
                    wrong.add(caller + " -> " + route.getKey() + " (" + needed + "): " + status);
                }
            }
        }
        assertThat(wrong).as("calls answered against the route's permission").isEmpty();
        String metrics = send(0, "GET", "/metrics", null, ADMIN).body();
        assertThat(metrics).containsPattern("gridvec_auth_refused_total\\{reason=\"missing\"} [1-9]")
                .containsPattern("gridvec_auth_refused_total\\{reason=\"forbidden\"} [1-9]");
    }

    @Test
    void revokedAndRotatedKeysStopWorkingAtOnceOnEveryNode() throws Exception {
        String created = send(0, "POST", "/v1/keys", "{\"role\": \"writer\"}", ADMIN).body();
        String id = JSON.readTree(created).path("id").asText();
        String key = JSON.readTree(created).path("key").asText();
        secrets.add(key);
        for (int node = 0; node < 3; node++) {
            expect(send(node, "GET", "/v1/collections/docs", null, key), 200);
        }
        // Rotated on node 1 without grace: the old secret fails everywhere at once, the new one works everywhere.
        String rotated = send(1, "POST", "/v1/keys/" + id + "/rotate", null, ADMIN).body();
        String next = JSON.readTree(rotated).path("key").asText();
        secrets.add(next);
        for (int node = 0; node < 3; node++) {
            expect(send(node, "GET", "/v1/collections/docs", null, key), 401);
            expect(send(node, "GET", "/v1/collections/docs", null, next), 200);
        }
        // With a grace period both work until it ends.
        String graced = JSON.readTree(send(2, "POST", "/v1/keys/" + id + "/rotate", "{\"graceSeconds\": 3600}",
                ADMIN).body()).path("key").asText();
        secrets.add(graced);
        for (int node = 0; node < 3; node++) {
            expect(send(node, "GET", "/v1/collections/docs", null, next), 200);
            expect(send(node, "GET", "/v1/collections/docs", null, graced), 200);
        }
        // Revoked on node 2: every secret of the key fails on every node.
        expect(send(2, "DELETE", "/v1/keys/" + id, null, ADMIN), 200);
        for (int node = 0; node < 3; node++) {
            expect(send(node, "GET", "/v1/collections/docs", null, next), 401);
            expect(send(node, "GET", "/v1/collections/docs", null, graced), 401);
        }
        String listed = send(1, "GET", "/v1/keys", null, ADMIN).body();
        assertThat(listed).doesNotContain(id).doesNotContain("gv_").contains("initial-admin");
        expect(send(1, "DELETE", "/v1/keys/" + id, null, ADMIN), 404);
    }

    @Test
    void aKeyOverItsRateLimitGets429WithRetryAfter() throws Exception {
        String key = create(1, "{\"role\": \"reader\", \"rateLimit\": {\"perSecond\": 1, \"burst\": 3}}");
        for (int i = 0; i < 3; i++) {
            expect(send(1, "GET", "/v1/collections/docs", null, key), 200);
        }
        // The burst is spent; one token comes back a second: within 20 quick requests one is refused.
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            HttpResponse<String> response = send(1, "GET", "/v1/collections/docs", null, key);
            refused = response.statusCode() == 429 ? response : null;
        }
        assertThat(refused).as("a 429 within 20 requests over 1/s").isNotNull();
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 2L));
        assertThat(JSON.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("TOO_MANY_REQUESTS");
    }

    @Test
    @Order(Integer.MAX_VALUE) // it cuts this machine's address off node 2 for a while: the other tests come first
    void failedAuthenticationsFromOneAddressAreCutOffWith429() throws Exception {
        // The other tests' revoked keys failed on node 2 too: within its budget of failures a 429 must come.
        HttpResponse<String> refused = null;
        int unauthenticated = 0;
        for (int i = 0; i <= FAILURES_PER_MINUTE && refused == null; i++) {
            HttpResponse<String> response = send(2, "GET", "/v1/collections", null, "gv_guess" + i);
            if (response.statusCode() == 429) {
                refused = response;
            } else {
                expect(response, 401);
                unauthenticated++;
            }
        }
        assertThat(refused).as("a 429 within " + (FAILURES_PER_MINUTE + 1) + " failed authentications").isNotNull();
        assertThat(unauthenticated).isPositive();
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // Cut off before the key is looked at: a right key from that address waits too (no oracle for guesses).
        expect(send(2, "GET", "/v1/collections", null, ADMIN), 429);
        expect(send(2, "GET", "/health", null, null), 200);
        expect(send(0, "GET", "/v1/collections", null, ADMIN), 200);
    }

    @Test
    void aRestrictedKeyReachesOnlyItsCollections() throws Exception {
        String key = create(0, "{\"role\": \"writer\", \"collections\": [\"docs\"]}");
        expect(send(0, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"a\", \"vector\": [1, 2]}]}",
                key), 200);
        expect(send(0, "POST", "/v1/collections/docs/search", "{\"vector\": [1, 2], \"k\": 1}", key), 200);
        expect(send(0, "PUT", "/v1/collections/other/records", "{\"records\": [{\"id\": \"a\", \"vector\": [1, 2]}]}",
                key), 403);
        expect(send(0, "GET", "/v1/collections", null, key), 403);
        expect(send(0, "PUT", "/v1/collections/docs", "{\"dimension\": 2}", key), 403);
    }

    @Test
    void theAuditLogRecordsAdminActionsWritesAndRefusalsWithoutSecrets() throws Exception {
        String key = create(0, "{\"role\": \"writer\"}");
        expect(send(0, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"audited\", \"vector\": "
                + "[0.123456, 0.654321]}]}", key), 200);
        expect(send(0, "GET", "/v1/collections/docs/records/audited", null, key), 200);
        expect(send(0, "DELETE", "/v1/collections/docs", null, key), 403);
        expect(send(0, "GET", "/v1/collections/docs", null, "gv_not-a-key"), 401);
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> lines().stream()
                .anyMatch(line -> line.path("status").asInt() == 401
                        && line.path("reason").asText().equals("invalid")));
        List<JsonNode> lines = lines();
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("event").asText()).isEqualTo("admin");
            assertThat(line.path("route").asText()).isEqualTo("/v1/keys");
            assertThat(line.path("keyId").asText()).isEqualTo("initial-admin");
            assertThat(line.path("status").asInt()).isEqualTo(201);
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("event").asText()).isEqualTo("write");
            assertThat(line.path("route").asText()).isEqualTo("/v1/collections/{name}/records");
            assertThat(line.path("params").path("name").asText()).isEqualTo("docs");
            assertThat(line.path("role").asText()).isEqualTo("writer");
            assertThat(line.path("requestId").asText()).isNotEmpty();
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("event").asText()).isEqualTo("refused");
            assertThat(line.path("reason").asText()).isEqualTo("forbidden");
            assertThat(line.path("route").asText()).isEqualTo("/v1/collections/{name}");
            assertThat(line.path("status").asInt()).isEqualTo(403);
        });
        // Reads are not audited; bodies, vectors and secrets never appear.
        assertThat(lines).noneSatisfy(line -> assertThat(line.path("path").asText()).endsWith("/records/audited"));
        String text = audit.toString();
        assertThat(text).doesNotContain("0.123456");
        for (String secret : secrets) {
            assertThat(text).doesNotContain(secret);
        }
    }

    @Test
    void theKeysCommandsMakeListRotateAndRevokeWithTheAdminKeyFromTheEnvironment() throws Exception {
        String url = "http://127.0.0.1:" + nodes[1].restPort();
        Cli created = cli(ADMIN, "keys", "create", "--role", "reader", "--collection", "docs", "--per-second", "50",
                "--url", url);
        assertThat(created.status()).as(created.output()).isZero();
        JsonNode key = JSON.readTree(created.output());
        secrets.add(key.path("key").asText());
        assertThat(key.path("role").asText()).isEqualTo("reader");
        assertThat(key.path("rateLimit").path("burst").asInt()).isEqualTo(50);
        String id = key.path("id").asText();
        expect(send(0, "POST", "/v1/collections/docs/search", "{\"vector\": [1, 2], \"k\": 1}",
                key.path("key").asText()), 200);
        Cli listed = cli(ADMIN, "keys", "list", "--url", url);
        assertThat(listed.output()).contains(id).doesNotContain(key.path("key").asText());
        Cli rotated = cli(ADMIN, "keys", "rotate", id, "--url", url);
        assertThat(rotated.status()).as(rotated.output()).isZero();
        secrets.add(JSON.readTree(rotated.output()).path("key").asText());
        expect(send(0, "GET", "/v1/collections/docs", null, key.path("key").asText()), 401);
        assertThat(cli(ADMIN, "keys", "revoke", id, "--url", url).status()).isZero();
        assertThat(cli(ADMIN, "keys", "revoke", id, "--url", url).status()).as("revoked already").isEqualTo(1);
        Cli anonymous = cli(null, "keys", "list", "--url", url);
        assertThat(anonymous.status()).isEqualTo(1);
        assertThat(anonymous.output()).contains("UNAUTHENTICATED");
    }

    /** A finished command line: its exit status and what it printed (stdout and stderr). */
    private record Cli(int status, String output) {}

    /** Runs {@code ./gridvec args...} (the built jars) with {@code GRIDVEC_API_KEY} set to {@code key} (or unset). */
    private static Cli cli(String key, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of("..", "gridvec").toAbsolutePath().normalize().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("GRIDVEC_SKIP_BUILD", "1");
        builder.environment().remove("GRIDVEC_API_KEY");
        if (key != null) {
            builder.environment().put("GRIDVEC_API_KEY", key);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("gridvec " + String.join(" ", args) + " ended").isTrue();
        return new Cli(process.exitValue(), output.strip());
    }

    private List<JsonNode> lines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : audit.toString().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static boolean allows(String role, Permission permission) {
        return switch (permission) {
            case PUBLIC, READ -> true;
            case WRITE -> !role.equals("reader");
            case ADMIN -> role.equals("admin");
        };
    }

    /** Makes a key with the admin key and returns its secret. */
    private String create(int node, String body) throws Exception {
        HttpResponse<String> response = send(node, "POST", "/v1/keys", body, ADMIN);
        expect(response, 201);
        String key = JSON.readTree(response.body()).path("key").asText();
        assertThat(key).startsWith("gv_");
        secrets.add(key);
        return key;
    }

    private HttpResponse<String> send(int node, String method, String path, String body, String key)
            throws IOException, InterruptedException {
        return TestNodes.http(nodes[node].restPort(), method, path, body, key);
    }

    private static void expect(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": "
                + response.body()).isEqualTo(status);
    }

    /** Sends the audit logger's lines to {@link #audit}, as the node's own file appender would write them. */
    private void captureAudit() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        Writer target = audit;
        auditAppender = WriterAppender.newBuilder().setName("audit-capture").setTarget(target)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build()).build();
        auditAppender.start();
        LoggerConfig logger = new LoggerConfig(AuditLog.LOGGER, Level.INFO, false);
        logger.addAppender(auditAppender, Level.INFO, null);
        configuration.addLogger(AuditLog.LOGGER, logger);
        context.updateLoggers();
    }
}
