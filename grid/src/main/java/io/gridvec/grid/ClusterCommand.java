package io.gridvec.grid;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gridvec cluster status|add|remove|stop}: the membership endpoints of a running cluster, for operators. Each
 * prints the JSON answer and exits 0 on a 2xx answer, 1 otherwise ({@value #UNREACHABLE} when no node answers).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Cluster membership: status, add and remove baseline nodes, stop.",
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Add.class, ClusterCommand.Remove.class,
                ClusterCommand.Stop.class})
final class ClusterCommand {

    /** Exit status when the node at --url cannot be reached. */
    static final int UNREACHABLE = 3;
    /** The environment variable whose API key every command sends when the cluster has security on. */
    static final String API_KEY = "GRIDVEC_API_KEY";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern ADDRESS = Pattern.compile("\"(rest|discovery)\"\\s*:\\s*\"([^\"]+)\"");

    /** The node every subcommand talks to. */
    static class Target {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
                description = "REST URL of any running node (default: ${DEFAULT-VALUE}).")
        String url;

        int call(String method, String path) throws InterruptedException {
            return call(method, path, null);
        }

        /** Sends {@code method path} with a JSON body (null: none) and prints the answer. */
        int call(String method, String path, String body) throws InterruptedException {
            HttpResponse<String> response;
            try {
                response = send(method, url + path, body);
            } catch (IOException e) {
                System.err.println("gridvec: no answer from " + url + ": " + e);
                return UNREACHABLE;
            }
            (response.statusCode() / 100 == 2 ? System.out : System.err).println(response.body());
            return response.statusCode() / 100 == 2 ? 0 : 1;
        }
    }

    /** A JSON string of {@code text}: the server checks the values, so only quotes and backslashes matter. */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Sends a request to a node, with the API key of the environment's {@value #API_KEY} when it is set. */
    static HttpResponse<String> send(String method, String url, String body) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(6))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        String key = System.getenv(API_KEY);
        if (key != null && !key.isBlank()) {
            request.header("Authorization", "Bearer " + key.trim());
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print GET /v1/cluster: nodes, baseline, nodes outside it, rebalancing, partitions.")
    static final class Status extends Target implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            return call("GET", "/v1/cluster");
        }
    }

    /** A subcommand about one node, named by its {@code node.name}. */
    abstract static class NodeTarget extends Target {
        @Parameters(paramLabel = "NODE", description = "The node's name (node.name).")
        String name;

        String baselinePath() {
            return "/v1/cluster/baseline/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a running server node to the baseline (PUT /v1/cluster/baseline/NODE); partitions "
                    + "rebalance to it.")
    static final class Add extends NodeTarget implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            return call("PUT", baselinePath());
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a node from the baseline (DELETE /v1/cluster/baseline/NODE). A running node is "
                    + "stopped first (gracefully: another node holds a copy of each of its partitions); then "
                    + "rebalancing restores the backups. Refused when that would lose the last copy of a partition.")
    static final class Remove extends NodeTarget implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            return call("DELETE", baselinePath());
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stop every node of the cluster (POST /v1/cluster/stop) and wait until every node's REST "
                    + "and discovery ports are closed (Ignite has stopped).")
    static final class Stop extends Target implements Callable<Integer> {
        @Option(names = "--wait", defaultValue = "120",
                description = "Seconds to wait for every node to stop (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Override
        public Integer call() throws InterruptedException {
            List<String> rest = new ArrayList<>();
            List<String> discovery = new ArrayList<>();
            try {
                Matcher address = ADDRESS.matcher(send("GET", url + "/v1/cluster", null).body());
                while (address.find()) {
                    (address.group(1).equals("rest") ? rest : discovery).add(address.group(2));
                }
            } catch (IOException e) {
                System.err.println("gridvec: no answer from " + url + ": " + e);
                return UNREACHABLE;
            }
            int status = call("POST", "/v1/cluster/stop");
            if (status != 0) {
                return status;
            }
            long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
            for (String node : discovery) {
                while (open(node)) {
                    if (System.nanoTime() > deadline) {
                        System.err.println("gridvec: the node at " + node + " has not stopped after " + waitSeconds
                                + " s");
                        return 1;
                    }
                    Thread.sleep(250);
                }
            }
            System.out.println("every node stopped: " + rest);
            return 0;
        }
    }

    /** Whether something accepts connections at {@code host:port} ({@code host:port} in one string). */
    static boolean open(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return open(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Whether something accepts connections at {@code host}, {@code port}. */
    static boolean open(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
