package io.gridvec.grid.node;

import static io.gridvec.grid.node.AnsiblePlays.onPath;
import static io.gridvec.grid.node.AnsiblePlays.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Test hosts in network namespaces made here, each reached over SSH as a machine of its own: a Linux bridge holding
 * the first address of a private /24 that no route or address of this machine uses, and per host a namespace joined
 * to the bridge by a veth pair, with an address of that /24, its loopback, no route out of the /24, and an sshd
 * listening on its address that lets root in with a key made here only (its host key, configuration, log and root's
 * home under the test's directory). Whatever runs through that sshd runs inside the host's namespace, and reaches
 * nothing but the bridge's /24. Names carry a random tag, so leftovers of a crashed run never collide with a later
 * one.
 * {@link #close} kills every process left in the namespaces and removes the namespaces, the veth pairs and the
 * bridge, keeping every failure. Needs root; not thread-safe.
 */
final class NetnsHosts implements AutoCloseable {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Duration SSHD_START = Duration.ofSeconds(30);

    private final Path dir;
    private final String tag;
    private final String bridge;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final Map<String, Process> sshds = new LinkedHashMap<>();

    private NetnsHosts(Path dir, String tag) {
        this.dir = dir;
        this.tag = tag;
        this.bridge = "gv" + tag + "br";
    }

    /**
     * Returns null when this machine can make such hosts, or else what it lacks: root, the {@code ip} command and a
     * working {@code ip netns add}, {@code /usr/sbin/sshd} (Debian's openssh-server), {@code ssh} and
     * {@code ssh-keygen}.
     */
    static String missing() throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        if (!"0".equals(output("id", "-u"))) {
            missing.add("root (this user is " + System.getProperty("user.name") + ")");
        }
        if (!onPath("ip")) {
            missing.add("the ip command (iproute2)");
        } else if (missing.isEmpty()) {
            String probe = "gv" + randomTag() + "-probe";
            String added = output("ip", "netns", "add", probe);
            if (added == null) {
                missing.add("a working 'ip netns add' (it failed)");
            } else {
                run("ip", "netns", "del", probe);
            }
        }
        if (!Files.isExecutable(SSHD)) {
            missing.add(SSHD + " (the Debian package openssh-server)");
        }
        for (String program : List.of("ssh", "ssh-keygen")) {
            if (!onPath(program)) {
                missing.add(program + " (the Debian package openssh-client)");
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    /** Makes one namespace host per name of {@code hosts}, its files under {@code dir}, each sshd listening. */
    static NetnsHosts create(Path dir, List<String> hosts) throws IOException, InterruptedException {
        NetnsHosts made = new NetnsHosts(dir, randomTag());
        try {
            made.build(hosts);
            return made;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            try {
                made.close();
            } catch (IOException | RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void build(List<String> hosts) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String subnet = freeSubnet();
        run("ip", "link", "add", bridge, "type", "bridge");
        links.add(bridge);
        run("ip", "addr", "add", subnet + ".1/24", "dev", bridge);
        run("ip", "link", "set", bridge, "up");
        // Checked before any packet leaves: the /24 (so every host address in it) is routed to this bridge alone.
        String route = run("ip", "route", "get", subnet + ".11");
        if (!route.contains("dev " + bridge + " ")) {
            throw new IllegalStateException(subnet + ".11 is not routed to " + bridge + ": " + route);
        }
        // sshd refuses to start without its privilege separation directory (the package's service makes it).
        Files.createDirectories(Path.of("/run/sshd"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ansible-netns-it", "-f", privateKey().toString());
        Files.copy(privateKey().resolveSibling("client.pub"), dir.resolve("authorized_keys"));
        StringBuilder knownHosts = new StringBuilder();
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            String address = subnet + "." + (11 + i);
            addHost(host, i + 1, address);
            Path hostKey = dir.resolve("host-" + host);
            String[] publicKey = Files.readString(hostKey.resolveSibling("host-" + host + ".pub")).split(" ");
            knownHosts.append(address).append(' ').append(publicKey[0]).append(' ').append(publicKey[1]).append('\n');
            addresses.put(host, address);
        }
        Files.writeString(knownHosts(), knownHosts);
        for (String host : hosts) {
            awaitSshd(host);
        }
    }

    private void addHost(String host, int index, String address) throws IOException, InterruptedException {
        String ns = namespace(host);
        String outside = "gv" + tag + "h" + index;
        String inside = "gv" + tag + "p" + index;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
        links.add(outside);
        run("ip", "link", "set", inside, "netns", ns);
        run("ip", "link", "set", outside, "master", bridge, "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "-n", ns, "link", "set", inside, "name", "eth0");
        run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");

        Path hostKey = dir.resolve("host-" + host);
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", host, "-f", hostKey.toString());
        Path home = Files.createDirectories(dir.resolve("home-" + host));
        Path config = dir.resolve("sshd-" + host + ".conf");
        Files.writeString(config, String.join("\n",
                "ListenAddress " + address + ":22",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd-" + host + ".pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                // The test's directory is under /tmp, which is world-writable: the keys are the test's own.
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                // A home of the host's own, as a machine has: sshd runs every command through root's login shell,
                // and bash reads ~/.bashrc then, which on this machine's /root takes 0.6 s (pyenv init), per task.
                "SetEnv HOME=" + home, ""));
        // -D: the sshd stays this process, so close() can end it; -e: its log goes to the file.
        sshds.put(host, new ProcessBuilder("ip", "netns", "exec", ns, SSHD.toString(), "-D", "-e", "-f",
                config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd-" + host + ".log").toFile()).start());
    }

    private void awaitSshd(String host) {
        Process sshd = sshds.get(host);
        Awaitility.await().atMost(SSHD_START).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!sshd.isAlive()) {
                throw new IllegalStateException("the sshd of " + host + " exited with " + sshd.exitValue() + ": "
                        + Files.readString(dir.resolve("sshd-" + host + ".log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address(host), 22), 1_000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The address of {@code host} in the bridge's /24. */
    String address(String host) {
        String address = addresses.get(host);
        if (address == null) {
            throw new IllegalArgumentException("no host " + host + " among " + addresses.keySet());
        }
        return address;
    }

    /** The name of the network namespace of {@code host}. */
    String namespace(String host) {
        return "gv" + tag + "-" + host;
    }

    /** The private key root logs in with on every host. */
    Path privateKey() {
        return dir.resolve("client");
    }

    /** A known_hosts file with every host's key, for StrictHostKeyChecking=yes. */
    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    /** The name of the namespace process {@code pid} is in, or an empty string when it is in none of them. */
    static String namespaceOf(long pid) throws IOException, InterruptedException {
        return run("ip", "netns", "identify", Long.toString(pid));
    }

    /** Kills every process in the namespaces, then removes the namespaces, the veth pairs and the bridge. */
    @Override
    public void close() throws IOException {
        List<Throwable> failures = new ArrayList<>();
        for (Process sshd : sshds.values()) {
            sshd.destroyForcibly();
        }
        List<ProcessHandle> killed = new ArrayList<>();
        for (String ns : namespaces) {
            attempt(failures, () -> {
                for (String pid : run("ip", "netns", "pids", ns).split("\\s+")) {
                    if (!pid.isEmpty()) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(killed::add);
                    }
                }
            });
        }
        killed.forEach(ProcessHandle::destroyForcibly);
        AnsiblePlays.awaitExit(killed);
        for (String ns : namespaces) {
            attempt(failures, () -> run("ip", "netns", "del", ns));
        }
        for (String link : links.reversed()) {
            // Removing a namespace removes the veth pair it held, in the background: a link gone before or while it
            // is deleted here is fine; only one still there after a failed delete is a failure.
            attempt(failures, () -> {
                if (output("ip", "link", "del", link) == null && output("ip", "link", "show", link) != null) {
                    run("ip", "link", "del", link);
                }
            });
        }
        if (!failures.isEmpty()) {
            IOException failure = new IOException("could not remove every namespace host of " + dir);
            failures.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    private interface Step {
        void run() throws IOException, InterruptedException;
    }

    private static void attempt(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (IOException | RuntimeException | AssertionError e) {
            failures.add(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add(e);
        }
    }

    /** A /24 of 10.231.0.0/16 (as "10.231.N") that no address or route of this machine is in or covers. */
    private static String freeSubnet() throws IOException, InterruptedException {
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 50; attempt++) {
            String subnet = "10.231." + random.nextInt(256);
            String inside = run("ip", "-4", "route", "show", "root", subnet + ".0/24");
            String covering = run("ip", "-4", "route", "show", "match", subnet + ".0/24");
            boolean onlyDefault = covering.lines().allMatch(line -> line.startsWith("default "));
            if (inside.isEmpty() && onlyDefault && !run("ip", "-4", "-o", "addr").contains(" " + subnet + ".")) {
                return subnet;
            }
        }
        throw new IllegalStateException("no free /24 in 10.231.0.0/16");
    }

    private static String randomTag() {
        return HexFormat.of().formatHex(new SecureRandom().generateSeed(3)).substring(0, 5);
    }

    /** Runs {@code command}; returns its output when it exits 0, else null. */
    private static String output(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        return process.waitFor() == 0 ? output : null;
    }
}
