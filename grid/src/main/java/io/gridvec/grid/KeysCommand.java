package io.gridvec.grid;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gridvec keys create|list|revoke|rotate}: the API key endpoints of a cluster with security on, called with
 * the admin key in {@code GRIDVEC_API_KEY}. Each prints the JSON answer (a new secret appears there once) and exits 0
 * on a 2xx answer, 1 otherwise ({@value ClusterCommand#UNREACHABLE} when no node answers).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "API keys (security.enabled): create, list, revoke, rotate. Send an admin key in "
                + "GRIDVEC_API_KEY.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class,
                KeysCommand.Rotate.class})
final class KeysCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Make a key (POST /v1/keys); its secret is printed once and never shown again.")
    static final class Create extends ClusterCommand.Target implements Callable<Integer> {
        @Option(names = "--role", required = true, description = "reader, writer or admin.")
        String role;

        @Option(names = "--collection", paramLabel = "C",
                description = "Restrict the key to this collection; repeat for several (default: all).")
        List<String> collections;

        @Option(names = "--per-second", description = "The key's own rate limit (default: its role's).")
        Integer perSecond;

        @Option(names = "--burst", description = "Requests allowed at once above the rate (default: --per-second).")
        Integer burst;

        @Override
        public Integer call() throws InterruptedException {
            List<String> fields = new ArrayList<>();
            fields.add("\"role\": " + ClusterCommand.quoted(role));
            if (collections != null) {
                fields.add("\"collections\": [" + String.join(", ", collections.stream().map(ClusterCommand::quoted)
                        .toList()) + "]");
            }
            if (perSecond != null) {
                fields.add("\"rateLimit\": {\"perSecond\": " + perSecond + (burst == null ? ""
                        : ", \"burst\": " + burst) + "}");
            }
            return call("POST", "/v1/keys", "{" + String.join(", ", fields) + "}");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the keys: id, role, collections, rate limit, creation time; never a secret.")
    static final class ListKeys extends ClusterCommand.Target implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            return call("GET", "/v1/keys");
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key (DELETE /v1/keys/ID): it stops working on every node at once.")
    static final class Revoke extends ClusterCommand.Target implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The key's id.")
        String id;

        @Override
        public Integer call() throws InterruptedException {
            return call("DELETE", "/v1/keys/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Give a key a new secret (POST /v1/keys/ID/rotate), printed once; the old one stops "
                    + "working at once or after --grace-seconds.")
    static final class Rotate extends ClusterCommand.Target implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "The key's id.")
        String id;

        @Option(names = "--grace-seconds", defaultValue = "0",
                description = "How long the old secret keeps working (default: ${DEFAULT-VALUE}).")
        long graceSeconds;

        @Override
        public Integer call() throws InterruptedException {
            return call("POST", "/v1/keys/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/rotate",
                    "{\"graceSeconds\": " + graceSeconds + "}");
        }
    }
}
