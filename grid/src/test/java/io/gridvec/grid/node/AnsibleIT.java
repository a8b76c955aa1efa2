package io.gridvec.grid.node;

import static io.gridvec.grid.node.AnsiblePlays.onPath;
import static io.gridvec.grid.node.AnsiblePlays.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * The Ansible roles and playbooks of {@code ansible/} run for real, twice, against two kinds of hosts on this machine:
 * four inventory hosts with connection {@code local} (each under its own prefix with its own ports, the nodes run as
 * this user), and four hosts in network namespaces this test makes ({@link NetnsHosts}), reached over SSH at their own
 * addresses as machines are, each node inside its host's namespace on the default ports as user {@code nobody}. Both
 * run the same sequence: {@code site.yml} forms a 3-node cluster from this build's distribution archive (the role's
 * path without systemd, security on; on loopback, {@code systemd-analyze verify} accepts the unit it rendered), a
 * second run changes nothing, {@code rolling-restart.yml} restarts every node under search load without a failed
 * search, and {@code add-node.yml} adds the fourth host. Then the loopback hosts
 * record a snapshot with {@code backup.yml}; the namespace hosts take the fourth host out again with
 * {@code remove-node.yml} (every record stays, a second run changes nothing), fail an {@code upgrade.yml} to a version
 * whose JVM cannot start (the first node gets its previous version back, the others are untouched) and then upgrade
 * one node (a canary), under search load, to a version that starts. The namespace variant is skipped, saying what is
 * missing, where the machine cannot make such hosts. Every node process is killed at the end, whatever happened.
 */
class AnsibleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIRST_THREE = List.of("n1", "n2", "n3");
    private static final List<String> ALL_FOUR = List.of("n1", "n2", "n3", "n4");
    private static final String COLLECTION = "docs";
    private static final int PARTITIONS = 8;
    private static final int DIM = 8;
    private static final int RECORDS = 1_000;
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    /** A client may retry on another node when the node it asked is stopping: what a load balancer on /ready does. */
    private static final String STOPPING = "the node is stopping";
    private static final String BROKEN_VERSION = "0.0.0-unstartable";
    private static final String NEXT_VERSION = "0.0.1-next";
    /** The JVM option the unstartable version's jvm.options adds: no JVM knows it, so none starts. */
    private static final String BAD_JVM_OPTION = "GridvecNoSuchOption";

    @TempDir
    Path dir;

    private final String adminKey = "gv-admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private Hosts hosts;
    private AnsiblePlays plays;

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES) // five plays in a row, each bounded by AnsiblePlays; not a measure
    void onLoopbackHostsPlaybooksFormAClusterIdempotentlyRestartItUnderLoadGrowItAndBackItUp() throws Exception {
        assumeTrue(onPath("ansible-playbook"), "ansible-playbook is not installed (.ci/run installs the Debian package"
                + " ansible); AnsibleIT needs it");
        hosts = new LoopbackHosts();
        plays = new AnsiblePlays(dir, "AnsibleIT.loopback", Map.of());
        try {
            formRestartAndGrow();
            // Here, where the unit names this user; the namespace hosts' nodes run as nobody, which systemd-analyze
            // rightly calls unsafe.
            verifyUnit(dir.resolve("n1/etc/systemd/system/gridvec.service"));

            plays.run(inventory(ALL_FOUR), "backup.yml", "-e", "gridvec_snapshot_name=it_1",
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
    @Timeout(value = 40, unit = TimeUnit.MINUTES) // eight plays in a row, each bounded by AnsiblePlays; not a measure
    void onNamespaceHostsTheSameThenRemoveNodeAFailedUpgradeRolledBackAndACanaryUnderLoad() throws Exception {
        assumeTrue(onPath("ansible-playbook"), "ansible-playbook is not installed (.ci/run installs the Debian "
                + "package ansible); AnsibleIT needs it");
        String missing = NetnsHosts.missing();
        assumeTrue(missing == null, () -> "AnsibleIT makes its namespace hosts with ip netns and an sshd each; "
                + "this machine lacks " + missing);
        // The nodes run as nobody, who must reach their directories under this one.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Ansible's SSH options less -C: compressing a local bridge's traffic only costs CPU. One connection per host
        // lasts the whole test (killed at the end with everything else under dir).
        plays = new AnsiblePlays(dir, "AnsibleIT.namespaces", Map.of(
                "ANSIBLE_SSH_ARGS", "-o ControlMaster=auto -o ControlPersist=30m",
                "ANSIBLE_SSH_CONTROL_PATH_DIR", dir.resolve("ssh-control").toString()));
        try (NetnsHosts made = NetnsHosts.create(dir.resolve("net"), ALL_FOUR)) {
            hosts = new NamespaceHosts(made);
            try {
                formRestartAndGrow();
                for (String host : ALL_FOUR) {
                    long pid = pid(host);
                    assertThat(NetnsHosts.namespaceOf(pid)).as(host + "'s node runs in its namespace")
                            .isEqualTo(made.namespace(host));
                    assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().user())).as(host + "'s node's user")
                            .hasValue("nobody");
                }

                Path grown = inventory(ALL_FOUR);
                long removed = pid("n4");
                plays.run(grown, "remove-node.yml", "--limit", "n4").assertPassed("n4");
                assertThat(ProcessHandle.of(removed).filter(ProcessHandle::isAlive)).as("n4's node has stopped")
                        .isEmpty();
                assertCluster(FIRST_THREE);
                assertEveryRecordOn(FIRST_THREE);
                Map<String, Integer> again = plays.run(grown, "remove-node.yml", "--limit", "n4").assertPassed("n4");
                assertThat(again).as("a second run of remove-node.yml changes nothing").containsOnly(
                        Map.entry("n4", 0));

                // n4 leaves the inventory, as docs/deploy-ansible.md says; the upgrades apply the seeds without it.
                Path inventory = inventory(FIRST_THREE);
                upgradeToAVersionThatDoesNotStartRollsBackTheFirstNodeOnly(inventory);
                upgradeACanaryUnderLoad(inventory);
            } finally {
                AnsiblePlays.killProcessesUnder(dir);
            }
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

    /**
     * The sequence both kinds of hosts run: site.yml forms a cluster of the first three hosts, a second run changes
     * nothing, rolling-restart.yml restarts every node under search load without a failed search, add-node.yml adds
     * the fourth host, which then holds partitions.
     */
    private void formRestartAndGrow() throws Exception {
        Path inventory = inventory(FIRST_THREE);
        plays.run(inventory, "site.yml").assertPassed("n1", "n2", "n3");
        assertCluster(FIRST_THREE);
        Path config = dir.resolve("n1/etc/gridvec");
        assertThat(Files.getPosixFilePermissions(config.resolve("admin.key")))
                .isEqualTo(PosixFilePermissions.fromString("r--------"));
        assertThat(Files.getPosixFilePermissions(config.resolve("gridvec.env")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Map<String, Integer> changed = plays.run(inventory, "site.yml").assertPassed("n1", "n2", "n3");
        assertThat(changed).as("a second run of site.yml changes nothing").containsOnly(
                Map.entry("n1", 0), Map.entry("n2", 0), Map.entry("n3", 0));

        load("n2");
        Map<String, Long> before = pids(FIRST_THREE);
        try (SearchLoad load = new SearchLoad(FIRST_THREE, readerKey("n1"))) {
            plays.run(inventory, "rolling-restart.yml").assertPassed("n1", "n2", "n3");
            load.finish("rolling-restart");
        }
        Map<String, Long> after = pids(FIRST_THREE);
        before.forEach((host, pid) -> assertThat(after.get(host)).as(host + " was restarted").isNotEqualTo(pid));

        plays.run(inventory(ALL_FOUR), "add-node.yml", "--limit", "n4").assertPassed("n4");
        assertCluster(ALL_FOUR);
        JsonNode n4 = node(json(http("n1", "GET", "/v1/cluster", null)), "n4");
        assertThat(n4.path("partitions").path("primary").asInt() + n4.path("partitions").path("backup").asInt())
                .as("n4 holds partitions: " + n4).isPositive();
        assertEveryRecordOn(ALL_FOUR);
    }

    /**
     * upgrade.yml with an archive of this build whose jvm.options has an option no JVM knows: the first node is
     * stopped, gets the new version, does not start, gets its previous version back and is ready again; the play
     * fails there, and the other nodes still run what they ran, the same processes.
     */
    private void upgradeToAVersionThatDoesNotStartRollsBackTheFirstNodeOnly(Path inventory) throws Exception {
        Path archive = archive(BROKEN_VERSION, "-XX:+" + BAD_JVM_OPTION);
        Map<String, Long> pids = pids(FIRST_THREE);
        Map<String, Path> versions = new LinkedHashMap<>();
        for (String host : FIRST_THREE) {
            versions.put(host, current(host));
        }
        AnsiblePlays.Play upgrade = plays.run(inventory, "upgrade.yml", "-e", "gridvec_version=" + BROKEN_VERSION,
                "-e", "gridvec_dist_src=" + archive, "-e", "gridvec_upgrade_ready_timeout_s=10");
        assertThat(upgrade.exitCode()).as(upgrade.tail()).isNotZero();
        assertThat(upgrade.recap()).as(upgrade.tail()).containsOnlyKeys("n1");
        assertThat(upgrade.recap().get("n1").failed()).as(upgrade.tail()).isEqualTo(1);
        assertThat(upgrade.recap().get("n1").rescued()).as(upgrade.tail()).isEqualTo(1);
        assertThat(upgrade.output()).contains("n1 did not become ready on " + BROKEN_VERSION);

        try (var entries = Files.list(dir.resolve("n1/opt/gridvec"))) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .as("n1 unpacked the new version").anyMatch(name -> name.startsWith("gridvec-" + BROKEN_VERSION));
        }
        assertThat(Files.readString(dir.resolve("n1/var/log/gridvec/console.log")))
                .as("n1 started the new version, which did not start").contains("'" + BAD_JVM_OPTION + "'");
        assertThat(current("n1")).as("n1's current version").isEqualTo(versions.get("n1"));
        long n1 = pid("n1");
        assertThat(n1).as("n1 was started again").isNotEqualTo(pids.get("n1"));
        assertThat(commandLine(n1)).as("n1 runs its previous version")
                .contains(versions.get("n1").resolve("gridvec-grid.jar") + " ");
        for (String host : List.of("n2", "n3")) {
            assertThat(pid(host)).as(host + " was not restarted").isEqualTo(pids.get(host));
            assertThat(ProcessHandle.of(pid(host)).map(ProcessHandle::isAlive)).hasValue(true);
            assertThat(current(host)).as(host + "'s current version").isEqualTo(versions.get(host));
            try (var entries = Files.list(dir.resolve(host + "/opt/gridvec"))) {
                assertThat(entries.map(p -> p.getFileName().toString())).as(host + " got nothing new")
                        .noneMatch(name -> name.contains(BROKEN_VERSION));
            }
        }
        assertCluster(FIRST_THREE);
        assertThat(count("n1")).isEqualTo(RECORDS);
    }

    /**
     * upgrade.yml limited to n1 (a canary) with this build's archive as the next version, under search load: n1 runs
     * the new version (a new process of the new directory), n2 and n3 the same processes of their version, no search
     * fails, and the cluster is whole with every record. (The whole cluster one node at a time is what
     * rolling-restart.yml does above, and upgrade.yml differs from it only in what each node installs.)
     */
    private void upgradeACanaryUnderLoad(Path inventory) throws Exception {
        Path archive = archive(NEXT_VERSION, "");
        Map<String, Long> pids = pids(FIRST_THREE);
        Map<String, Path> versions = new LinkedHashMap<>();
        for (String host : FIRST_THREE) {
            versions.put(host, current(host));
        }
        try (SearchLoad load = new SearchLoad(FIRST_THREE, readerKey("n1"))) {
            plays.run(inventory, "upgrade.yml", "--limit", "n1", "-e", "gridvec_version=" + NEXT_VERSION, "-e",
                    "gridvec_dist_src=" + archive).assertPassed("n1");
            load.finish("upgrade");
        }
        Path current = current("n1");
        assertThat(current.getFileName().toString()).as("n1's current version")
                .startsWith("gridvec-" + NEXT_VERSION + "-");
        long pid = pid("n1");
        assertThat(pid).as("n1 was restarted").isNotEqualTo(pids.get("n1"));
        assertThat(commandLine(pid)).as("n1 runs the new version").contains(current.resolve("gridvec-grid.jar") + " ");
        for (String host : List.of("n2", "n3")) {
            assertThat(pid(host)).as(host + " was not restarted").isEqualTo(pids.get(host));
            assertThat(current(host)).as(host + "'s current version").isEqualTo(versions.get(host));
        }
        assertCluster(FIRST_THREE);
        assertEveryRecordOn(FIRST_THREE);
    }

    /**
     * This build's archive as {@code version} (its directory renamed), {@code jvmOption} added to its jvm.options
     * unless empty, with its .sha256 file.
     */
    private Path archive(String version, String jvmOption)
            throws IOException, InterruptedException, NoSuchAlgorithmException {
        Path work = Files.createDirectories(dir.resolve("archives"));
        run("tar", "-xzf", System.getProperty("gridvec.dist"), "-C", work.toString());
        Path tree = work.resolve("gridvec-" + version);
        Files.move(work.resolve("gridvec-" + System.getProperty("gridvec.version")), tree);
        if (!jvmOption.isEmpty()) {
            Files.writeString(tree.resolve("jvm.options"), "\n" + jvmOption + "\n", StandardOpenOption.APPEND);
        }
        Path archive = work.resolve("gridvec-" + version + ".tar.gz");
        run("tar", "-czf", archive.toString(), "-C", work.toString(), tree.getFileName().toString());
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(archive)));
        Files.writeString(Path.of(archive + ".sha256"), sha256 + "  " + archive.getFileName() + "\n");
        return archive;
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

    /** Writes an inventory of {@code names}; the fourth host, when there, joins the cluster the others formed. */
    private Path inventory(List<String> names) throws IOException, InterruptedException {
        StringBuilder yaml = new StringBuilder(String.join("\n",
                "gridvec:",
                "  vars:",
                hosts.connectionVars(),
                "    ansible_become: false",
                "    java_install: false",
                "    java_home: " + System.getProperty("java.home"),
                "    gridvec_systemd: false",
                "    gridvec_manage_user: false",
                "    gridvec_cluster_name: gridvec-ansible-it",
                "    gridvec_version: " + System.getProperty("gridvec.version"),
                "    gridvec_dist_src: " + System.getProperty("gridvec.dist"),
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
        for (String host : names) {
            yaml.append("    ").append(host).append(": {gridvec_prefix: ").append(dir.resolve(host))
                    .append(hosts.hostVars(host)).append(host.equals("n4") ? ", gridvec_join: true" : "")
                    .append("}\n");
        }
        Path file = dir.resolve("inventory-" + names.size() + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * Every given host is ready, and they are the cluster: its nodes, its whole baseline, all online, each node found
     * at its host's address and ports.
     */
    private void assertCluster(List<String> names) throws Exception {
        for (String host : names) {
            HttpResponse<String> ready = http(host, "GET", "/ready", null);
            assertThat(ready.statusCode()).as(host + " /ready: " + ready.body()).isEqualTo(200);
        }
        JsonNode cluster = json(http(names.get(0), "GET", "/v1/cluster", null));
        assertThat(cluster.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(cluster.path("nodes")).as(cluster.toString()).extracting(n -> n.path("id").asText())
                .containsExactlyInAnyOrderElementsOf(names);
        assertThat(cluster.path("baseline")).as(cluster.toString()).extracting(n -> n.path("id").asText())
                .containsExactlyInAnyOrderElementsOf(names);
        assertThat(cluster.path("baseline")).allSatisfy(n -> assertThat(n.path("online").asBoolean()).isTrue());
        assertThat(cluster.path("outsideBaseline")).isEmpty();
        for (JsonNode node : cluster.path("nodes")) {
            String host = node.path("id").asText();
            assertThat(node.path("discovery").asText()).isEqualTo(hosts.discovery(host));
            assertThat(node.path("rest").asText()).isEqualTo("http://" + hosts.address(host) + ":"
                    + hosts.restPort(host));
        }
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

    /**
     * Creates the collection (one backup of each partition) and writes {@link #RECORDS} records through {@code via},
     * then waits until every node of the cluster is ready.
     */
    private void load(String via) throws Exception {
        HttpResponse<String> created = http(via, "PUT", "/v1/collections/" + COLLECTION, "{\"dimension\": " + DIM
                + ", \"metric\": \"l2\", \"partitions\": " + PARTITIONS + ", \"backups\": 1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Random random = new Random(SEED);
        for (int from = 0; from < RECORDS; from += 500) {
            HttpResponse<String> upserted = http(via, "PUT", "/v1/collections/" + COLLECTION + "/records",
                    TestNodes.randomRecords(from, 500, DIM, random, null));
            assertThat(upserted.statusCode()).as(upserted.body()).isEqualTo(200);
        }
        for (String host : FIRST_THREE) {
            Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> http(host, "GET", "/ready", null).statusCode() == 200);
        }
        assertThat(count("n1")).isEqualTo(RECORDS);
    }

    /**
     * Each of {@code names} counts every record, reads a sample of them and searches every partition; every partition
     * has two consistent copies (a primary and its backup), both on nodes of {@code names}.
     */
    private void assertEveryRecordOn(List<String> names) throws Exception {
        Random random = new Random(SEED);
        for (String host : names) {
            assertThat(count(host)).as(host + "'s count").isEqualTo(RECORDS);
            for (int i = 0; i < 20; i++) {
                String id = "r" + random.nextInt(RECORDS);
                HttpResponse<String> record = http(host, "GET", "/v1/collections/" + COLLECTION + "/records/" + id,
                        null);
                assertThat(record.statusCode()).as(host + " GET " + id + ": " + record.body()).isEqualTo(200);
                assertThat(json(record).path("id").asText()).isEqualTo(id);
            }
            JsonNode search = json(http(host, "POST", "/v1/collections/" + COLLECTION + "/search",
                    "{\"vector\": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], \"k\": 10, \"cache\": false}"));
            assertThat(search.path("partitions").path("searched").asInt()).as(search.toString())
                    .isEqualTo(PARTITIONS);
            assertThat(search.path("hits")).hasSize(10);
        }
        JsonNode consistency = json(http(names.get(0), "GET", "/v1/collections/" + COLLECTION + "/consistency",
                null));
        assertThat(consistency.path("divergentPartitions").asInt()).as(consistency.toString()).isZero();
        int records = 0;
        for (JsonNode partition : consistency.path("partitions")) {
            List<String> owners = new ArrayList<>();
            partition.path("copies").forEach(copy -> owners.add(copy.path("node").asText()));
            assertThat(owners).as(partition.toString()).hasSize(2).doesNotHaveDuplicates().isSubsetOf(names);
            records += partition.path("copies").path(0).path("records").asInt();
        }
        assertThat(records).as(consistency.toString()).isEqualTo(RECORDS);
    }

    private int count(String host) throws Exception {
        return json(http(host, "GET", "/v1/collections/" + COLLECTION, null)).path("count").asInt();
    }

    /** Makes a reader key (the admin key's rate limit, 20 per second, is for administration, not searches). */
    private String readerKey(String host) throws Exception {
        HttpResponse<String> created = http(host, "POST", "/v1/keys", "{\"role\": \"reader\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("key").asText();
    }

    /** The pid the node of each of {@code names} wrote (the role's path without systemd). */
    private Map<String, Long> pids(List<String> names) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String host : names) {
            pids.put(host, pid(host));
        }
        return pids;
    }

    private long pid(String host) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(host).resolve("var/lib/gridvec/gridvec.pid")).strip());
    }

    /** The version directory the role's link {@code current} of {@code host} points at. */
    private Path current(String host) throws IOException {
        return dir.resolve(host).resolve("opt/gridvec/current").toRealPath();
    }

    private static String commandLine(long pid) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
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
        return http(host, method, path, body, adminKey);
    }

    private HttpResponse<String> http(String host, String method, String path, String body, String key)
            throws IOException, InterruptedException {
        return TestNodes.http(hosts.address(host), hosts.restPort(host), method, path, body, key);
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Where the test's hosts are, and what the inventory says to reach them. */
    private interface Hosts {
        /** The inventory's group variables on how Ansible connects and as whom the nodes run (YAML lines). */
        String connectionVars() throws IOException, InterruptedException;

        /** The inventory's variables of {@code host} after its prefix (", key: value" pairs). */
        String hostVars(String host);

        /** The address the node of {@code host} listens on. */
        String address(String host);

        int restPort(String host);

        /** The discovery address the cluster reports for the node of {@code host}. */
        String discovery(String host);
    }

    /** Hosts on loopback: connection local, each with its own free ports; the nodes run as this user. */
    private static final class LoopbackHosts implements Hosts {
        private final Map<String, int[]> ports = new LinkedHashMap<>();

        LoopbackHosts() throws IOException {
            for (String host : ALL_FOUR) {
                ports.put(host, TestNodes.freePorts(4));
            }
        }

        @Override
        public String connectionVars() throws IOException, InterruptedException {
            String user = System.getProperty("user.name");
            return String.join("\n",
                    "    ansible_connection: local",
                    "    gridvec_user: " + user,
                    "    gridvec_user_group: " + run("id", "-gn"),
                    "    gridvec_config_owner: " + user,
                    "    gridvec_host: 127.0.0.1");
        }

        @Override
        public String hostVars(String host) {
            int[] p = ports.get(host);
            return ", gridvec_rest_port: " + p[0] + ", gridvec_discovery_port: " + p[1]
                    + ", gridvec_communication_port: " + p[2] + ", gridvec_client_port: " + p[3];
        }

        @Override
        public String address(String host) {
            return "127.0.0.1";
        }

        @Override
        public int restPort(String host) {
            return ports.get(host)[0];
        }

        @Override
        public String discovery(String host) {
            return "127.0.0.1:" + ports.get(host)[1];
        }
    }

    /** Hosts in network namespaces, reached over SSH as root; nodes on the default ports, as nobody. */
    private final class NamespaceHosts implements Hosts {
        private final NetnsHosts net;

        NamespaceHosts(NetnsHosts net) {
            this.net = net;
        }

        @Override
        public String connectionVars() throws IOException, InterruptedException {
            return String.join("\n",
                    "    ansible_user: root",
                    "    ansible_ssh_private_key_file: " + net.privateKey(),
                    "    ansible_ssh_common_args: >-",
                    "      -o UserKnownHostsFile=" + net.knownHosts() + " -o StrictHostKeyChecking=yes",
                    "      -o BatchMode=yes",
                    "    ansible_remote_tmp: " + dir.resolve("remote-tmp"),
                    "    ansible_python_interpreter: /usr/bin/python3",
                    "    gridvec_user: nobody",
                    "    gridvec_user_group: " + run("id", "-gn", "nobody"));
        }

        @Override
        public String hostVars(String host) {
            return ", ansible_host: " + net.address(host);
        }

        @Override
        public String address(String host) {
            return net.address(host);
        }

        @Override
        public int restPort(String host) {
            return 8080;
        }

        @Override
        public String discovery(String host) {
            return net.address(host) + ":47500";
        }
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

        SearchLoad(List<String> names, String key) {
            this.key = key;
            ready.addAll(names);
            threads.add(Thread.ofPlatform().name("ready-poller").start(() -> {
                while (running.get()) {
                    for (String host : names) {
                        try {
                            if (http(host, "GET", "/ready", null, key).statusCode() == 200) {
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
                        HttpResponse<String> response = http(via, "POST", "/v1/collections/" + COLLECTION + "/search",
                                body, key);
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
        void finish(String during) throws InterruptedException {
            close();
            System.out.printf("{\"test\":\"AnsibleIT\",\"during\":\"%s\",\"searches\":%d,\"retriedOnAnotherNode\":%d,"
                    + "\"failed\":%d}%n", during, answered.get(), retried.get(), failures.size());
            assertThat(failures).as("failed searches during " + during + ", seed " + SEED).isEmpty();
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
