package io.gridvec.grid.node;

import java.io.Serializable;
import java.util.Objects;
import java.util.UUID;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.plugin.CachePluginContext;
import org.apache.ignite.plugin.CachePluginProvider;
import org.apache.ignite.plugin.ExtensionRegistry;
import org.apache.ignite.plugin.IgnitePlugin;
import org.apache.ignite.plugin.PluginConfiguration;
import org.apache.ignite.plugin.PluginContext;
import org.apache.ignite.plugin.PluginProvider;
import org.apache.ignite.plugin.PluginValidationException;

/**
 * Keeps clusters apart: every node carries its {@code cluster.name} as the node attribute {@value #ATTRIBUTE}, and a
 * node whose name differs is refused when it tries to join, with a one-line reason on both sides. Ignite validates
 * joining nodes through its plugins, so this is a plugin that does nothing else. Thread-safe.
 */
final class ClusterNameCheck implements PluginProvider<PluginConfiguration> {

    private static final System.Logger LOG = System.getLogger(ClusterNameCheck.class.getName());

    /** The node attribute holding the cluster name. */
    static final String ATTRIBUTE = "gridvec.cluster.name";

    private final String clusterName;

    ClusterNameCheck(String clusterName) {
        this.clusterName = clusterName;
    }

    @Override
    public void validateNewNode(ClusterNode node) throws PluginValidationException {
        Object theirs = node.attribute(ATTRIBUTE);
        if (!Objects.equals(clusterName, theirs)) {
            String reason = "node " + node.consistentId() + " belongs to cluster '" + theirs + "', this is cluster '"
                    + clusterName + "' (cluster.name); it was refused";
            LOG.log(System.Logger.Level.WARNING, reason);
            throw new PluginValidationException(reason, reason, node.id());
        }
    }

    @Override
    public String name() {
        return "gridvec-cluster-name";
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public String copyright() {
        return "";
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends IgnitePlugin> T plugin() {
        return (T) new IgnitePlugin() {};
    }

    @Override
    public void initExtensions(PluginContext ctx, ExtensionRegistry registry) {
        // No extensions.
    }

    @Override
    public <T> T createComponent(PluginContext ctx, Class<T> cls) {
        return null;
    }

    @Override
    public CachePluginProvider createCacheProvider(CachePluginContext ctx) {
        return null;
    }

    @Override
    public void start(PluginContext ctx) {
        // Nothing to start.
    }

    @Override
    public void stop(boolean cancel) {
        // Nothing to stop.
    }

    @Override
    public void onIgniteStart() throws IgniteCheckedException {
        // Nothing to do.
    }

    @Override
    public void onIgniteStop(boolean cancel) {
        // Nothing to do.
    }

    @Override
    public Serializable provideDiscoveryData(UUID nodeId) {
        return null;
    }

    @Override
    public void receiveDiscoveryData(UUID nodeId, Serializable data) {
        // No discovery data.
    }
}
