package io.gridvec.grid.node;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCluster;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.BaselineNode;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterState;

/**
 * Forms a fresh cluster and says when this node is outside its baseline. Thread-safe; {@link #close()} stops its
 * thread.
 *
 * <p>A fresh cluster (never activated, no baseline) is activated by exactly one node: the oldest server, once
 * {@code cluster.initialNodes} servers have joined. Ignite orders servers by join, and every node sees the same oldest,
 * so nodes started at the same moment never activate twice (two activations made two baselines, and a node of the
 * first one could not restart). Activation makes the servers present the baseline.
 *
 * <p>Afterwards it checks every second whether this node is in the baseline and logs each change: a node outside the
 * baseline stores nothing until an operator adds it. The first check that finds the cluster active runs the
 * {@code onActive} action once (the thin clients' password, the first admin key); when that action fails,
 * the error is logged once and the action is not retried.
 */
final class ClusterFormation implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ClusterFormation.class.getName());
    private static final long CHECK_MS = 200;

    private final Ignite ignite;
    private final int initialNodes;
    private final String addCommand;
    private final Runnable onActive;
    private final AtomicBoolean activeSeen = new AtomicBoolean();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gridvec-cluster-formation").daemon().factory());
    private volatile Boolean inBaseline;
    private volatile boolean waitingLogged;
    private volatile boolean started;

    /**
     * @param addCommand the command an operator runs to add this node to the baseline (shown in the log)
     * @param onActive what to run once, when this node first finds the cluster active
     */
    ClusterFormation(Ignite ignite, int initialNodes, String addCommand, Runnable onActive) {
        this.ignite = ignite;
        this.initialNodes = initialNodes;
        this.addCommand = addCommand;
        this.onActive = onActive;
    }

    /**
     * Checks once now (activating the cluster when this node is the one to do it), then every
     * {@value #CHECK_MS} ms. When this node completes the initial set but is not the oldest, waits up to
     * {@code activationWait} for the oldest to activate, so that a started node usually finds the cluster active.
     * When the cluster is active by then, {@code onActive} has run (on this thread or the checking one) or is running.
     *
     * @throws OnActiveException when {@code onActive} runs on this thread and fails
     */
    void start(Duration activationWait) {
        check();
        thread.scheduleWithFixedDelay(this::checkSafely, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
        long deadline = System.nanoTime() + activationWait.toNanos();
        while (fresh(ignite.cluster()) && ignite.cluster().forServers().nodes().size() >= initialNodes
                && System.nanoTime() < deadline) {
            sleep();
        }
        try {
            if (ignite.cluster().state().active()) {
                runOnActive();
            }
        } finally {
            // From now on the checking thread runs onActive, when the cluster activates later.
            started = true;
        }
    }

    private void runOnActive() {
        if (activeSeen.compareAndSet(false, true)) {
            try {
                onActive.run();
            } catch (RuntimeException e) {
                throw new OnActiveException(e);
            }
        }
    }

    /** A failure of {@code onActive}, kept apart from the failures of a check during a topology change. */
    static final class OnActiveException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OnActiveException(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private void checkSafely() {
        try {
            check();
            if (started && ignite.cluster().state().active()) {
                runOnActive();
            }
        } catch (OnActiveException e) {
            // Not retried: a wrong setting, said once.
            LOG.log(System.Logger.Level.ERROR, e.getMessage(), e.getCause());
        } catch (IgniteException e) {
            // The thread's boundary: a check during a topology change or a stop; the next one asks again.
            LOG.log(System.Logger.Level.DEBUG, "cluster formation check failed", e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster formation check failed", e);
        }
    }

    private void check() {
        IgniteCluster cluster = ignite.cluster();
        if (fresh(cluster)) {
            activateIfOldest(cluster);
            return;
        }
        if (!cluster.state().active()) {
            return;
        }
        Collection<BaselineNode> baseline = cluster.currentBaselineTopology();
        Object self = cluster.localNode().consistentId();
        boolean member = baseline != null && baseline.stream().anyMatch(n -> n.consistentId().equals(self));
        Boolean before = inBaseline;
        inBaseline = member;
        if (before == null ? !member : before != member) {
            LOG.log(member ? System.Logger.Level.INFO : System.Logger.Level.WARNING, member
                    ? "This node is in the cluster's baseline now; it receives its share of partitions"
                    : "This node is not in the cluster's baseline and stores no data; add it with: " + addCommand);
        }
    }

    private void activateIfOldest(IgniteCluster cluster) {
        int servers = cluster.forServers().nodes().size();
        ClusterNode oldest = cluster.forServers().forOldest().node();
        if (servers < initialNodes || oldest == null || !oldest.isLocal()) {
            if (!waitingLogged && servers < initialNodes) {
                waitingLogged = true;
                LOG.log(System.Logger.Level.INFO, "Fresh cluster has " + servers + " of " + initialNodes
                        + " initial server nodes (cluster.initialNodes); the oldest activates it when all have joined");
            }
            return;
        }
        cluster.baselineAutoAdjustEnabled(false);
        cluster.state(ClusterState.ACTIVE);
        LOG.log(System.Logger.Level.INFO, "Activated the fresh cluster with a baseline of "
                + cluster.currentBaselineTopology().size() + " node(s)");
    }

    private static boolean fresh(IgniteCluster cluster) {
        return cluster.state() == ClusterState.INACTIVE && cluster.currentBaselineTopology() == null;
    }

    private static void sleep() {
        try {
            Thread.sleep(CHECK_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cluster to activate", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
