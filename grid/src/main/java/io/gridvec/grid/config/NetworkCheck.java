package io.gridvec.grid.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks of a configuration against the machine's network: the addresses resolve ({@link ConfigLoader} reports it
 * with every other problem), and, when a node starts, its four ports are free ({@link #portsInUse}). Stateless.
 */
public final class NetworkCheck {

    private NetworkCheck() {}

    /** Returns why {@code host} does not resolve (a phrase after the key), or null when it does. */
    static String unresolved(String host) {
        try {
            InetAddress.getByName(host);
            return null;
        } catch (UnknownHostException e) {
            return "'" + host + "' does not resolve to an address";
        } catch (SecurityException e) {
            return "'" + host + "' cannot be resolved: " + e.getMessage();
        }
    }

    /** Returns whether every address {@code host} resolves to is a loopback one (reachable from this machine only). */
    public static boolean loopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false; // reported by unresolved()
        }
    }

    /**
     * Returns a problem for each of the node's ports that cannot be bound on its address (another process holds it),
     * naming the key; empty when all four are free.
     */
    public static List<String> portsInUse(GridvecConfig config) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("rest.port", config.rest().port());
        ports.put("cluster.discoveryPort", config.cluster().discoveryPort());
        ports.put("cluster.communicationPort", config.cluster().communicationPort());
        ports.put("cluster.clientPort", config.cluster().clientPort());
        List<String> problems = new ArrayList<>();
        ports.forEach((key, port) -> {
            String host = key.equals("rest.port") ? config.rest().host() : config.cluster().host();
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(host, port));
            } catch (IOException e) {
                problems.add(key + " " + port + " on " + host + " cannot be bound: " + e.getMessage()
                        + " (another process listens there; stop it or choose another port)");
            }
        });
        return problems;
    }
}
