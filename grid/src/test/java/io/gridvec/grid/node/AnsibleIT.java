package io.gridvec.grid.node;

import static io.gridvec.grid.node.AnsiblePlays.onPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Ansible roles and playbooks of {@code ansible/} run for real against four inventory hosts on this machine
 * (connection local, each under its own prefix with its own ports, the role's path without systemd, security on):
 * {@code site.yml} forms a 3-node cluster from the distribution archive of this build, a second run changes nothing,
 * {@code rolling-restart.yml} restarts every node under search load without a failed search, {@code add-node.yml}
 * adds a fourth host, and {@code backup.yml} records a snapshot every node wrote. Every node process is killed at the
 * end, whatever happened.
 */
class AnsibleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLLECTION = "docs";
    private static final int PARTITIONS = 8;
    private static final int DIM = 8;
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    /** A client may retry on another node when the node it asked is stopping: what a load balancer on /ready does. */
    private static final String STOPPING = "the node is stopping";

    @TempDir
    Path dir;

    private final String adminKey = "gv-admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Map<String, int[]> ports = new LinkedHashMap<>();
    private AnsiblePlays plays;

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES) // six plays in a row, each bounded by AnsiblePlays; not a measure
    void playbooksFormAClusterIdempotentlyRestartItUnderLoadAndGrowIt() throws Exception {
        assumeTrue(onPath("ansible-playbook"), "ansible-playbook is not installed (.ci/run installs the Debian package"
                + " ansible); AnsibleIT needs it");
        for (String host : List.of("n1", "n2", "n3", "n4")) {
            ports.put(host, TestNodes.freePorts(4));
        }
        plays = new AnsiblePlays(dir, "AnsibleIT", Map.of());
        try {
            Path inventory = inventory(List.of("n1", "n2", "n3"));
            plays.run(inventory, "site.yml").assertPassed("n1", "n2", "n3");
            assertCluster("n1", "n2", "n3");
            Path config = dir.resolve("n1/etc/gridvec");
            assertThat(Files.getPosixFilePermissions(config.resolve("admin.key")))
                    .isEqualTo(PosixFilePermissions.fromString("r--------"));
            assertThat(Files.getPosixFilePermissions(config.resolve("gridvec.env")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            verifyUnit(dir.resolve("n1/etc/systemd/system/gridvec.service"));

            Map<String, Integer> changed = plays.run(inventory, "site.yml").assertPassed("n1", "n2", "n3");
            assertThat(changed).as("a second run of site.yml changes nothing").containsOnly(
                    Map.entry("n1", 0), Map.entry("n2", 0), Map.entry("n3", 0));

            load("n1");
            Map<String, Long> before = pids("n1", "n2", "n3");
            try (SearchLoad load = new SearchLoad(List.of("n1", "n2", "n3"), readerKey("n1"))) {
                plays.run(inventory, "rolling-restart.yml").assertPassed("n1", "n2", "n3");
                load.finish();
            }
            Map<String, Long> after = pids("n1", "n2", "n3");
            before.forEach((host, pid) -> assertThat(after.get(host)).as(host + " was restarted").isNotEqualTo(pid));

            Path grown = inventory(List.of("n1", "n2", "n3", "n4"));
            plays.run(grown, "add-node.yml", "--limit", "n4").assertPassed("n4");
            assertCluster("n1", "n2", "n3", "n4");
            JsonNode n4 = node(cluster("n1"), "n4");
            assertThat(n4.path("partitions").path("primary").asInt() + n4.path("partitions").path("backup").asInt())
                    .as("n4 holds partitions: " + n4).isPositive();

            plays.run(grown, "backup.yml", "-e", "gridvec_snapshot_name=it_1",
                    "-e", "gridvec_backup_record=" + dir.resolve("backups.jsonl")).assertPassed("n1", "n2", "n3", "n4");
            List<String> records = Files.readAllLines(dir.resolve("backups.jsonl"));
            assertThat(records).hasSize(4);
            for (String line : records) {
                JsonNode record = JSON.readTree(line);
                assertThat(record.path("snapshot").asText()).isEqualTo("it_1");
                assertThat(record.path("state").asText()).isEqualTo("DONE");
                assertThat(Path.of(record.path("directory").asText())).isDirectory()
                        .startsWith(dir.resolve(record.path("host").asText()));
            }
        } finally {
            AnsiblePlays.killProcessesUnder(dir);
        }
    }

    @Test
    void playbooksPassTheirSyntaxCheckYamllintAndAnsibleLintsProductionProfile() throws Exception {
        assumeTrue(onPath("ansible-playbook") && onPath("ansible-lint") && onPath("yamllint"), "ansible-playbook, "
                + "ansible-lint or yamllint is not installed (.ci/run installs the Debian packages of those names)");
        for (String playbook : List.of("site.yml", "add-node.yml", "remove-node.yml", "rolling-restart.yml",
                "upgrade.yml", "backup.yml")) {
            check("ansible-playbook", "-i", "inventories/example/hosts.yml", "--syntax-check", playbook);
        }
        check("yamllint", "--strict", ".");
        check("ansible-lint", "--profile", "production", "--strict");
    }

    /** Runs {@code command} in ansible/; it must exit 0. */
    private void check(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(AnsiblePlays.ANSIBLE.toFile())
                .redirectErrorStream(true);
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve("ansible-tmp").toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
    }

    /** Writes an inventory of {@code hosts}; the fourth host, when there, joins the cluster the others formed. */
    private Path inventory(List<String> hosts) throws IOException, InterruptedException {
        StringBuilder yaml = new StringBuilder(String.join("\n",
                "gridvec:",
                "  vars:",
                "    ansible_connection: local",
                "    ansible_become: false",
                "    java_install: false",
                "    java_home: " + System.getProperty("java.home"),
                "    gridvec_systemd: false",
                "    gridvec_manage_user: false",
                "    gridvec_user: " + System.getProperty("user.name"),
                "    gridvec_user_group: " + AnsiblePlays.run("id", "-gn"),
                "    gridvec_config_owner: " + System.getProperty("user.name"),
                "    gridvec_cluster_name: gridvec-ansible-it",
                "    gridvec_version: " + System.getProperty("gridvec.version"),
                "    gridvec_dist_src: " + System.getProperty("gridvec.dist"),
                "    gridvec_host: 127.0.0.1",
                "    gridvec_admin_key: " + adminKey,
                "    gridvec_client_password: it-client-password",
                "    gridvec_heap_mb: 384",
                "    gridvec_drain_timeout_ms: 5000",
                "    gridvec_stop_timeout_ms: " + NodeProcesses.STOP_TIMEOUT_MS,
                "    gridvec_ready_timeout_s: 300",
                "    gridvec_config_overrides:",
                "      storage: {walSegmentMb: 4, dataRegionMb: 256}",
                "      search: {recallSampleRate: 0}",
                "  hosts:", ""));
        for (String host : hosts) {
            int[] p = ports.get(host);
            yaml.append("    ").append(host).append(": {gridvec_prefix: ").append(dir.resolve(host))
                    .append(", gridvec_rest_port: ").append(p[0]).append(", gridvec_discovery_port: ").append(p[1])
                    .append(", gridvec_communication_port: ").append(p[2]).append(", gridvec_client_port: ")
                    .append(p[3]).append(host.equals("n4") ? ", gridvec_join: true" : "").append("}\n");
        }
        Path file = dir.resolve("inventory-" + hosts.size() + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    /** Every given host is ready, and they are the cluster: its nodes, its whole baseline, all online. */
    private void assertCluster(String... hosts) throws Exception {
        for (String host : hosts) {
            HttpResponse<String> ready = http(host, "GET", "/ready", null);
            assertThat(ready.statusCode()).as(host + " /ready: " + ready.body()).isEqualTo(200);
        }
        JsonNode cluster = cluster(hosts[0]);
        assertThat(cluster.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(cluster.path("nodes")).as(cluster.toString()).extracting(n -> n.path("id").asText())
                .containsExactlyInAnyOrder(hosts);
        assertThat(cluster.path("baseline")).as(cluster.toString()).extracting(n -> n.path("id").asText())
                .containsExactlyInAnyOrder(hosts);
        assertThat(cluster.path("baseline")).allSatisfy(n -> assertThat(n.path("online").asBoolean()).isTrue());
        assertThat(cluster.path("outsideBaseline")).isEmpty();
    }

    /** systemd-analyze verify accepts the unit the role rendered (where systemd-analyze is installed). */
    private static void verifyUnit(Path unit) throws IOException, InterruptedException {
        assertThat(unit).isRegularFile();
        if (!onPath("systemd-analyze")) {
            System.out.println("AnsibleIT: systemd-analyze is not installed; the unit is not verified");
            return;
        }
        Process verify = new ProcessBuilder("systemd-analyze", "verify", unit.toString()).redirectErrorStream(true)
                .start();
        String output = new String(verify.getInputStream().readAllBytes());
        assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(verify.exitValue()).as(output).isZero();
        assertThat(output).as("systemd-analyze verify " + unit).isEmpty();
    }

    /** Creates the collection and loads records through {@code host}, then waits until every node is ready. */
    private void load(String host) throws Exception {
        HttpResponse<String> created = http(host, "PUT", "/v1/collections/" + COLLECTION, "{\"dimension\": " + DIM
                + ", \"metric\": \"l2\", \"partitions\": " + PARTITIONS + ", \"backups\": 1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Random random = new Random(SEED);
        for (int from = 0; from < 2_000; from += 500) {
            HttpResponse<String> upserted = http(host, "PUT", "/v1/collections/" + COLLECTION + "/records",
                    TestNodes.randomRecords(from, 500, DIM, random, null));
            assertThat(upserted.statusCode()).as(upserted.body()).isEqualTo(200);
        }
        for (String node : ports.keySet()) {
            if (Files.exists(dir.resolve(node))) {
                Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .ignoreExceptions().until(() -> http(node, "GET", "/ready", null).statusCode() == 200);
            }
        }
    }

    /** Makes a reader key (the admin key's rate limit, 20 per second, is for administration, not searches). */
    private String readerKey(String host) throws Exception {
        HttpResponse<String> created = http(host, "POST", "/v1/keys", "{\"role\": \"reader\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    /** The pid each host's node process wrote (the role's path without systemd). */
    private Map<String, Long> pids(String... hosts) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String host : hosts) {
            pids.put(host, Long.valueOf(Files.readString(pidFile(host)).strip()));
        }
        return pids;
    }

    private Path pidFile(String host) {
        return dir.resolve(host).resolve("var/lib/gridvec/gridvec.pid");
    }

    private JsonNode cluster(String host) throws Exception {
        HttpResponse<String> response = http(host, "GET", "/v1/cluster", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode node(JsonNode cluster, String id) {
        for (JsonNode node : cluster.path("nodes")) {
            if (node.path("id").asText().equals(id)) {
                return node;
            }
        }
        throw new AssertionError("no node " + id + " in " + cluster);
    }

    private HttpResponse<String> http(String host, String method, String path, String body)
            throws IOException, InterruptedException {
        return TestNodes.http(ports.get(host)[0], method, path, body, adminKey);
    }

    /**
     * Two clients searching the collection as a client behind a load balancer does: each search goes to a node that
     * answered {@code /ready} with 200 at its last check (every 250 ms), and goes to another such node when the one
     * it asked is stopping (503 "the node is stopping") or refuses or closes the connection without an answer. Any
     * other answer that is not a 200 with 10 hits covering every partition is a failed search. The clients use a
     * reader key.
     */
    private final class SearchLoad implements AutoCloseable {
        private final Set<String> ready = new CopyOnWriteArraySet<>();
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicInteger answered = new AtomicInteger();
        private final AtomicInteger retried = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        private final String key;

        SearchLoad(List<String> hosts, String key) {
            this.key = key;
            ready.addAll(hosts);
            threads.add(Thread.ofPlatform().name("ready-poller").start(() -> {
                while (running.get()) {
                    for (String host : hosts) {
                        try {
                            if (TestNodes.http(ports.get(host)[0], "GET", "/ready", null, key).statusCode() == 200) {
                                ready.add(host);
                            } else {
                                ready.remove(host);
                            }
                        } catch (IOException e) {
                            ready.remove(host);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    sleepQuietly(250);
                }
            }));
            for (int c = 0; c < 2; c++) {
                Random random = new Random(SEED + c);
                threads.add(Thread.ofPlatform().name("searcher-" + c).start(() -> search(random)));
            }
        }

        private void search(Random random) {
            while (running.get()) {
                StringBuilder vector = new StringBuilder();
                for (int d = 0; d < DIM; d++) {
                    vector.append(d == 0 ? "" : ",").append(random.nextFloat());
                }
                String body = "{\"vector\": [" + vector + "], \"k\": 10, \"cache\": false}";
                String outcome = null;
                for (int attempt = 0; attempt < 10 && outcome == null && running.get(); attempt++) {
                    List<String> now = new ArrayList<>(ready);
                    if (now.isEmpty()) {
                        outcome = "no node was ready";
                        break;
                    }
                    String via = now.get(random.nextInt(now.size()));
                    try {
                        HttpResponse<String> response = TestNodes.http(ports.get(via)[0], "POST",
                                "/v1/collections/" + COLLECTION + "/search", body, key);
                        if (response.statusCode() == 503 && response.body().contains(STOPPING)) {
                            retried.incrementAndGet();
                            continue;
                        }
                        JsonNode answer = JSON.readTree(response.body());
                        outcome = response.statusCode() == 200
                                && answer.path("partitions").path("searched").asInt() == PARTITIONS
                                && answer.path("hits").size() == 10 ? "" : "search via " + via + " answered "
                                + response.statusCode() + ": " + response.body();
                    } catch (IOException e) {
                        // Refused or closed without an answer by a node that is stopping: a search is a read, so a
                        // client sends it again.
                        retried.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (outcome != null && !outcome.isEmpty()) {
                    failures.add(outcome);
                } else if (outcome != null) {
                    answered.incrementAndGet();
                }
                sleepQuietly(20);
            }
        }

        /** Stops the clients; no search failed, and there were searches. */
        void finish() throws InterruptedException {
            close();
            System.out.printf("{\"test\":\"AnsibleIT.rolling\",\"searches\":%d,\"retriedOnAnotherNode\":%d,"
                    + "\"failed\":%d}%n", answered.get(), retried.get(), failures.size());
            assertThat(failures).as("failed searches, seed " + SEED).isEmpty();
            assertThat(answered.get()).isPositive();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(60_000);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis); // a client's pace, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
