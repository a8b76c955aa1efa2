package io.gridvec.shard.registry;

import java.io.Serializable;

/**
 * What one node has received by rebalancing for one collection since its last rebalance started (Ignite's
 * cache-group metrics {@code RebalancingReceivedKeys} and {@code RebalancingReceivedBytes}). Immutable.
 */
public final class RebalanceReceived implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The node's name. */
    public final String node;
    /** The collection's cache. */
    public final String cacheName;
    /** Records received. */
    public final long keys;
    /** Bytes received. */
    public final long bytes;

    RebalanceReceived(String node, String cacheName, long keys, long bytes) {
        this.node = node;
        this.cacheName = cacheName;
        this.keys = keys;
        this.bytes = bytes;
    }
}
