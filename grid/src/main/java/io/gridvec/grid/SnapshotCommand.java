package io.gridvec.grid;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gridvec snapshot create|list|restore}: the backup endpoints of a running cluster. Each prints the JSON answer
 * and exits 0 on a 2xx answer, 1 otherwise ({@value ClusterCommand#UNREACHABLE} when no node answers).
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Backups: take, list and restore cluster-wide snapshots (docs/operations.md, \"Backups\").",
        subcommands = {SnapshotCommand.Create.class, SnapshotCommand.ListSnapshots.class,
                SnapshotCommand.Restore.class})
final class SnapshotCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Take a snapshot of every collection and wait until every node has written it "
                    + "(POST /v1/snapshots).")
    static final class Create extends ClusterCommand.Target implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "0..1",
                description = "Letters, digits and underscores (default: snapshot_<UTC time>).")
        String name;

        @Override
        public Integer call() throws InterruptedException {
            return call("POST", "/v1/snapshots", name == null ? null
                    : "{\"name\": " + ClusterCommand.quoted(name) + "}");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the snapshots: name, time, state, collections (GET /v1/snapshots).")
    static final class ListSnapshots extends ClusterCommand.Target implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            return call("GET", "/v1/snapshots");
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore dropped collections from a snapshot (POST /v1/snapshots/NAME/restore); a "
                    + "collection that exists is refused: drop it first.")
    static final class Restore extends ClusterCommand.Target implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The snapshot.")
        String name;

        @Option(names = "--collection", paramLabel = "C",
                description = "A collection to restore; repeat for several (default: every collection of the "
                        + "snapshot).")
        List<String> collections;

        @Override
        public Integer call() throws InterruptedException {
            String body = collections == null ? null : "{\"collections\": ["
                    + collections.stream().map(ClusterCommand::quoted).collect(Collectors.joining(", ")) + "]}";
            return call("POST", "/v1/snapshots/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/restore",
                    body);
        }
    }
}
