package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code ansible-playbook} in {@code ansible/} for the Ansible ITs, each play's output in a log file of the test's
 * directory, and reads the play recap. Not thread-safe.
 */
final class AnsiblePlays {

    /** The playbooks' directory. */
    static final Path ANSIBLE = Path.of("..", "ansible").toAbsolutePath().normalize();

    private static final Duration PLAY = Duration.ofMinutes(15);
    private static final Pattern RECAP = Pattern.compile("(?m)^(n\\d+)\\s+: ok=(\\d+)\\s+changed=(\\d+)\\s+"
            + "unreachable=(\\d+)\\s+failed=(\\d+)\\s+skipped=(\\d+)\\s+rescued=(\\d+)");

    private final Path dir;
    private final String test;
    private final Map<String, String> environment;
    private int runs;

    /** Plays run by {@code test} with their logs and Ansible's local temporary files under {@code dir}. */
    AnsiblePlays(Path dir, String test, Map<String, String> environment) {
        this.dir = dir;
        this.test = test;
        this.environment = Map.copyOf(environment);
    }

    /** Runs {@code ansible-playbook -i inventory playbook args} and returns how it ended, passed or not. */
    Play run(Path inventory, String playbook, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(), playbook));
        command.addAll(List.of(args));
        Path log = dir.resolve(++runs + "-" + playbook + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(ANSIBLE.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().put("ANSIBLE_NOCOLOR", "1");
        builder.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve("ansible-tmp").toString());
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        boolean ended = process.waitFor(PLAY.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            process.destroyForcibly();
            process.waitFor();
        }
        System.out.printf("{\"test\":\"%s\",\"playbook\":\"%s\",\"seconds\":%.1f}%n", test, playbook,
                (System.nanoTime() - start) / 1e9);
        return new Play(playbook, ended ? process.exitValue() : -1, Files.readString(log));
    }

    /**
     * Kills every process whose command line names {@code dir} (what the plays started there: nodes, SSH connections)
     * and waits up to 30 s until they have ended.
     */
    static void killProcessesUnder(Path dir) {
        String marker = dir.toString();
        List<ProcessHandle> killed = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains(marker)).orElse(false))
                .toList();
        killed.forEach(ProcessHandle::destroyForcibly);
        awaitExit(killed);
    }

    /** Waits up to 30 s until every one of {@code processes} has ended. */
    static void awaitExit(List<ProcessHandle> processes) {
        CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, 30, TimeUnit.SECONDS).join();
    }

    /** Whether {@code program} is on the PATH. */
    static boolean onPath(String program) throws IOException, InterruptedException {
        return new ProcessBuilder("sh", "-c", "command -v " + program).start().waitFor() == 0;
    }

    /** Runs {@code command}, which must exit 0 within 2 minutes, and returns its output (stdout and stderr). */
    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
        return output;
    }

    /** One host's line of the play recap. */
    record Recap(int ok, int changed, int unreachable, int failed, int rescued) {}

    /** How one run of a playbook ended: its exit status (-1 when it was stopped after 15 minutes) and output. */
    record Play(String playbook, int exitCode, String output) {

        /** The recap of every host that ran, by host. */
        Map<String, Recap> recap() {
            Map<String, Recap> recap = new LinkedHashMap<>();
            Matcher line = RECAP.matcher(output);
            while (line.find()) {
                recap.put(line.group(1), new Recap(Integer.parseInt(line.group(2)), Integer.parseInt(line.group(3)),
                        Integer.parseInt(line.group(4)), Integer.parseInt(line.group(5)),
                        Integer.parseInt(line.group(7))));
            }
            return recap;
        }

        /** The play passed, exactly {@code hosts} ran, none unreachable or failed; returns each one's changed count. */
        Map<String, Integer> assertPassed(String... hosts) {
            assertThat(exitCode).as(() -> playbook + " failed; its output:\n" + tail()).isZero();
            Map<String, Recap> recap = recap();
            assertThat(recap.keySet()).as(output).containsExactlyInAnyOrder(hosts);
            Map<String, Integer> changed = new LinkedHashMap<>();
            recap.forEach((host, line) -> {
                assertThat(line.unreachable() + line.failed()).as(host + ": " + line).isZero();
                changed.put(host, line.changed());
            });
            return changed;
        }

        /** The last 12,000 characters of the output. */
        String tail() {
            return output.substring(Math.max(0, output.length() - 12_000));
        }
    }
}
