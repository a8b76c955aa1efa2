package io.gridvec.grid;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gridvec stop --url URL}: stops one running node as SIGTERM would (it drains its requests, writes its shard
 * snapshots and stops Ignite gracefully), then waits until its discovery port is closed, that is until its Ignite has
 * stopped. Exits 0 when it stopped, 1 when it refused or did not stop in time, {@value ClusterCommand#UNREACHABLE}
 * when it does not answer.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop the node at --url (POST /v1/node/stop), gracefully, and wait until it has stopped.")
final class StopCommand extends ClusterCommand.Target implements Callable<Integer> {

    private static final Pattern DISCOVERY = Pattern.compile("\"discovery\"\\s*:\\s*\"([^\"]+):(\\d+)\"");

    @Option(names = "--wait", defaultValue = "120",
            description = "Seconds to wait for the node to stop (default: ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Override
    public Integer call() throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = ClusterCommand.send("POST", url + "/v1/node/stop", null);
        } catch (IOException e) {
            System.err.println("gridvec: no answer from " + url + ": " + e);
            return ClusterCommand.UNREACHABLE;
        }
        Matcher discovery = DISCOVERY.matcher(response.body());
        if (response.statusCode() != 202 || !discovery.find()) {
            System.err.println(response.body());
            return 1;
        }
        System.out.println(response.body());
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        URI rest = URI.create(url);
        // First until the REST server closed (the drain ended), then, probing less often (Ignite logs a warning for
        // each connection that is not a node's), until the discovery port closed: Ignite has stopped.
        if (!await(rest.getHost(), rest.getPort() > 0 ? rest.getPort() : 80, 250, deadline)
                || !await(discovery.group(1), Integer.parseInt(discovery.group(2)), 1_000, deadline)) {
            System.err.println("gridvec: the node at " + url + " has not stopped after " + waitSeconds + " s");
            return 1;
        }
        System.out.println("the node at " + url + " stopped");
        return 0;
    }

    /** Waits until nothing accepts connections at {@code host:port}; false at the deadline. */
    private static boolean await(String host, int port, long pollMs, long deadline) throws InterruptedException {
        while (ClusterCommand.open(host, port)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(pollMs);
        }
        return true;
    }
}
