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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The playbooks of {@code ansible/} against three hosts in network namespaces this test makes ({@link NetnsHosts}),
 * reached over SSH at their own addresses as machines are; each node runs inside its host's namespace, on the default
 * ports, as user {@code nobody} (the role's path without systemd, as root, so through {@code runuser}).
 * {@code site.yml} forms one cluster whose nodes find each other on those addresses; {@code upgrade.yml} with a new
 * version whose JVM cannot start fails at the first node, which gets its previous version back and is ready again,
 * and leaves the other nodes untouched; {@code remove-node.yml} takes the third host out, every record stays
 * readable, with both copies, on the other two, and a second run changes nothing; {@code upgrade.yml} with a next
 * version that starts moves both remaining nodes to it, one at a time. Skipped, saying what is missing, where the
 * machine cannot make the hosts; everything it made is removed at the end, whatever happened.
 */
class AnsibleNetnsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HOSTS = List.of("n1", "n2", "n3");
    private static final int REST_PORT = 8080;
    private static final String COLLECTION = "docs";
    private static final int PARTITIONS = 8;
    private static final int DIM = 8;
    private static final int RECORDS = 600;
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    private static final String BROKEN_VERSION = "0.0.0-unstartable";
    private static final String NEXT_VERSION = "0.0.1-next";
    /** The JVM option the unstartable version's jvm.options adds: no JVM knows it, so none starts. */
    private static final String BAD_JVM_OPTION = "GridvecNoSuchOption";

    @TempDir
    Path dir;

    private final String adminKey = "gv-admin-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private NetnsHosts hosts;

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES) // five plays, each bounded by AnsiblePlays; not a measure
    void siteFormsAClusterOverSshUpgradeRollsBackANodeThatDoesNotStartRemoveNodeKeepsEveryRecordUpgradeSucceeds()
            throws Exception {
        assumeTrue(onPath("ansible-playbook"), "ansible-playbook is not installed (.ci/run installs the Debian "
                + "package ansible); AnsibleNetnsIT needs it");
        String missing = NetnsHosts.missing();
        assumeTrue(missing == null, () -> "AnsibleNetnsIT makes its hosts in network namespaces with an sshd each; "
                + "this machine lacks " + missing);
        System.out.println("AnsibleNetnsIT seed " + SEED + " (replay with -Dgridvec.test.seed=" + SEED + ")");
        // The nodes run as nobody, who must reach their directories under this one.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Ansible's SSH options less -C: compressing a local bridge's traffic only costs CPU. One connection per host
        // lasts the whole test (killed at the end with everything else under dir).
        AnsiblePlays plays = new AnsiblePlays(dir, "AnsibleNetnsIT", Map.of(
                "ANSIBLE_SSH_ARGS", "-o ControlMaster=auto -o ControlPersist=30m",
                "ANSIBLE_SSH_CONTROL_PATH_DIR", dir.resolve("ssh-control").toString()));
        long start = System.nanoTime();
        try (NetnsHosts made = NetnsHosts.create(dir.resolve("net"), HOSTS)) {
            hosts = made;
            progress("hosts", start);
            try {
                Path inventory = inventory(HOSTS);
                plays.run(inventory, "site.yml").assertPassed("n1", "n2", "n3");
                assertCluster("n1", "n2", "n3");
                for (String host : HOSTS) {
                    long pid = pid(host);
                    assertThat(NetnsHosts.namespaceOf(pid)).as(host + "'s node runs in its namespace")
                            .isEqualTo(hosts.namespace(host));
                    assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().user())).as(host + "'s node's user")
                            .hasValue("nobody");
                }
                load();
                progress("site", start);

                upgradeToAVersionThatDoesNotStartRollsBackTheFirstNodeOnly(plays, inventory);
                progress("upgrade", start);

                long removed = pid("n3");
                plays.run(inventory, "remove-node.yml", "--limit", "n3").assertPassed("n3");
                assertThat(ProcessHandle.of(removed).filter(ProcessHandle::isAlive)).as("n3's node has stopped")
                        .isEmpty();
                assertCluster("n1", "n2");
                assertEveryRecordOn("n1", "n2");
                Map<String, Integer> again = plays.run(inventory, "remove-node.yml", "--limit", "n3")
                        .assertPassed("n3");
                assertThat(again).as("a second run of remove-node.yml changes nothing").containsOnly(
                        Map.entry("n3", 0));
                progress("remove", start);

                // n3 leaves the inventory, as docs/deploy-ansible.md says; the upgrade applies the seeds without it.
                upgradeSucceedsOneNodeAtATime(plays, inventory(List.of("n1", "n2")));
                progress("upgrade-next", start);
            } finally {
                AnsiblePlays.killProcessesUnder(dir);
            }
        }
        progress("cleaned", start);
    }

    /**
     * upgrade.yml with an archive of this build whose jvm.options has an option no JVM knows: the first node is
     * stopped, gets the new version, does not start, gets its previous version back and is ready again; the play
     * fails there, and the other nodes still run what they ran, the same processes.
     */
    private void upgradeToAVersionThatDoesNotStartRollsBackTheFirstNodeOnly(AnsiblePlays plays, Path inventory)
            throws Exception {
        Path archive = archive(BROKEN_VERSION, "-XX:+" + BAD_JVM_OPTION);
        Map<String, Long> pids = new LinkedHashMap<>();
        Map<String, Path> versions = new LinkedHashMap<>();
        for (String host : HOSTS) {
            pids.put(host, pid(host));
            versions.put(host, current(host));
        }
        AnsiblePlays.Play upgrade = plays.run(inventory, "upgrade.yml", "-e", "gridvec_version=" + BROKEN_VERSION,
                "-e", "gridvec_dist_src=" + archive, "-e", "gridvec_upgrade_ready_timeout_s=10");
        assertThat(upgrade.exitCode()).as(upgrade.tail()).isNotZero();
        assertThat(upgrade.recap()).as(upgrade.tail()).containsOnlyKeys("n1");
        assertThat(upgrade.recap().get("n1").failed()).as(upgrade.tail()).isEqualTo(1);
        assertThat(upgrade.recap().get("n1").rescued()).as(upgrade.tail()).isEqualTo(1);
        assertThat(upgrade.output()).contains("n1 did not become ready on " + BROKEN_VERSION);

        Path installDir = dir.resolve("n1/opt/gridvec");
        try (var entries = Files.list(installDir)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .as("n1 unpacked the new version").anyMatch(name -> name.startsWith("gridvec-" + BROKEN_VERSION));
        }
        assertThat(Files.readString(dir.resolve("n1/var/log/gridvec/console.log")))
                .as("n1 started the new version, which did not start").contains("'" + BAD_JVM_OPTION + "'");
        assertThat(current("n1")).as("n1's current version").isEqualTo(versions.get("n1"));
        long n1 = pid("n1");
        assertThat(n1).as("n1 was started again").isNotEqualTo(pids.get("n1"));
        assertThat(Files.readString(Path.of("/proc", Long.toString(n1), "cmdline")).replace('\0', ' '))
                .as("n1 runs its previous version").contains(versions.get("n1").resolve("gridvec-grid.jar") + " ");
        for (String host : List.of("n2", "n3")) {
            assertThat(pid(host)).as(host + " was not restarted").isEqualTo(pids.get(host));
            assertThat(ProcessHandle.of(pid(host)).map(ProcessHandle::isAlive)).hasValue(true);
            assertThat(current(host)).as(host + "'s current version").isEqualTo(versions.get(host));
            try (var entries = Files.list(dir.resolve(host + "/opt/gridvec"))) {
                assertThat(entries.map(p -> p.getFileName().toString())).as(host + " got nothing new")
                        .noneMatch(name -> name.contains(BROKEN_VERSION));
            }
        }
        assertCluster("n1", "n2", "n3");
        assertThat(count("n1")).isEqualTo(RECORDS);
    }

    /**
     * upgrade.yml with this build's archive as the next version on the two hosts left: one at a time, each node
     * runs the new version (a new process of the new directory), and the cluster is whole with every record.
     */
    private void upgradeSucceedsOneNodeAtATime(AnsiblePlays plays, Path inventory) throws Exception {
        Path archive = archive(NEXT_VERSION, "");
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String host : List.of("n1", "n2")) {
            pids.put(host, pid(host));
        }
        plays.run(inventory, "upgrade.yml", "-e", "gridvec_version=" + NEXT_VERSION, "-e",
                "gridvec_dist_src=" + archive).assertPassed("n1", "n2");
        for (String host : List.of("n1", "n2")) {
            Path current = current(host);
            assertThat(current.getFileName().toString()).as(host + "'s current version")
                    .startsWith("gridvec-" + NEXT_VERSION + "-");
            long pid = pid(host);
            assertThat(pid).as(host + " was restarted").isNotEqualTo(pids.get(host));
            assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' '))
                    .as(host + " runs the new version").contains(current.resolve("gridvec-grid.jar") + " ");
        }
        assertCluster("n1", "n2");
        assertEveryRecordOn("n1", "n2");
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

    private Path inventory(List<String> names) throws IOException, InterruptedException {
        StringBuilder yaml = new StringBuilder(String.join("\n",
                "gridvec:",
                "  vars:",
                "    ansible_user: root",
                "    ansible_ssh_private_key_file: " + hosts.privateKey(),
                "    ansible_ssh_common_args: >-",
                "      -o UserKnownHostsFile=" + hosts.knownHosts() + " -o StrictHostKeyChecking=yes",
                "      -o BatchMode=yes",
                "    ansible_remote_tmp: " + dir.resolve("remote-tmp"),
                "    ansible_python_interpreter: /usr/bin/python3",
                "    ansible_become: false",
                "    java_install: false",
                "    java_home: " + System.getProperty("java.home"),
                "    gridvec_systemd: false",
                "    gridvec_manage_user: false",
                "    gridvec_user: nobody",
                "    gridvec_user_group: " + run("id", "-gn", "nobody"),
                "    gridvec_cluster_name: gridvec-ansible-netns-it",
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
            yaml.append("    ").append(host).append(": {ansible_host: ").append(hosts.address(host))
                    .append(", gridvec_prefix: ").append(dir.resolve(host)).append("}\n");
        }
        Path file = dir.resolve("inventory-" + names.size() + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * Every given host is ready, and they are the cluster: its nodes, its whole baseline, all online, each node
     * reached and found at its own namespace address.
     */
    private void assertCluster(String... names) throws Exception {
        for (String host : names) {
            HttpResponse<String> ready = http(host, "GET", "/ready", null);
            assertThat(ready.statusCode()).as(host + " /ready: " + ready.body()).isEqualTo(200);
        }
        JsonNode cluster = json(http(names[0], "GET", "/v1/cluster", null));
        assertThat(cluster.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(cluster.path("nodes")).as(cluster.toString()).extracting(n -> n.path("id").asText())
                .containsExactlyInAnyOrder(names);
        assertThat(cluster.path("baseline")).as(cluster.toString()).extracting(n -> n.path("id").asText())
                .containsExactlyInAnyOrder(names);
        assertThat(cluster.path("baseline")).allSatisfy(n -> assertThat(n.path("online").asBoolean()).isTrue());
        assertThat(cluster.path("outsideBaseline")).isEmpty();
        for (JsonNode node : cluster.path("nodes")) {
            String address = hosts.address(node.path("id").asText());
            assertThat(node.path("discovery").asText()).isEqualTo(address + ":47500");
            assertThat(node.path("rest").asText()).isEqualTo("http://" + address + ":" + REST_PORT);
        }
    }

    /** Creates the collection (one backup of each partition) and writes {@link #RECORDS} records through n2. */
    private void load() throws Exception {
        HttpResponse<String> created = http("n2", "PUT", "/v1/collections/" + COLLECTION, "{\"dimension\": " + DIM
                + ", \"metric\": \"l2\", \"partitions\": " + PARTITIONS + ", \"backups\": 1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> upserted = http("n2", "PUT", "/v1/collections/" + COLLECTION + "/records",
                TestNodes.randomRecords(0, RECORDS, DIM, new Random(SEED), null));
        assertThat(upserted.statusCode()).as(upserted.body()).isEqualTo(200);
        assertThat(count("n1")).isEqualTo(RECORDS);
    }

    /**
     * Each of {@code names} counts every record, reads a sample of them and searches every partition, and each
     * partition has a consistent copy on each of them (one primary and its backup).
     */
    private void assertEveryRecordOn(String... names) throws Exception {
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
        JsonNode consistency = json(http(names[0], "GET", "/v1/collections/" + COLLECTION + "/consistency", null));
        assertThat(consistency.path("divergentPartitions").asInt()).as(consistency.toString()).isZero();
        int records = 0;
        for (JsonNode partition : consistency.path("partitions")) {
            assertThat(partition.path("copies")).as(partition.toString()).extracting(c -> c.path("node").asText())
                    .containsExactlyInAnyOrder(names);
            records += partition.path("copies").path(0).path("records").asInt();
        }
        assertThat(records).as(consistency.toString()).isEqualTo(RECORDS);
    }

    private int count(String host) throws Exception {
        return json(http(host, "GET", "/v1/collections/" + COLLECTION, null)).path("count").asInt();
    }

    /** The pid the node of {@code host} wrote (the role's path without systemd). */
    private long pid(String host) throws IOException {
        return Long.parseLong(Files.readString(dir.resolve(host).resolve("var/lib/gridvec/gridvec.pid")).strip());
    }

    /** The version directory the role's link {@code current} of {@code host} points at. */
    private Path current(String host) throws IOException {
        return dir.resolve(host).resolve("opt/gridvec/current").toRealPath();
    }

    private HttpResponse<String> http(String host, String method, String path, String body)
            throws IOException, InterruptedException {
        return TestNodes.http(hosts.address(host), REST_PORT, method, path, body, adminKey);
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static void progress(String step, long start) {
        System.out.printf("{\"test\":\"AnsibleNetnsIT\",\"step\":\"%s\",\"seconds\":%.1f}%n", step,
                (System.nanoTime() - start) / 1e9);
    }
}
