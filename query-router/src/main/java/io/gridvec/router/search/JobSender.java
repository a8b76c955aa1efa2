package io.gridvec.router.search;

import io.gridvec.shard.search.NodeSearchResult;
import io.gridvec.shard.search.ShardSearchJob;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.compute.ComputeExecutionRejectedException;
import org.apache.ignite.lang.IgniteFuture;

/**
 * Sends search jobs from its own threads, never from a request's: Ignite sends a job in the calling thread, and a send
 * to a stalled node can block for seconds while Ignite reconnects, which would keep the request from hedging. The
 * outcome goes to the job's {@link Reply} on another thread. Thread-safe; {@link #close()} stops it.
 */
final class JobSender implements AutoCloseable {

    /** Threads that may block at once on sends to stalled nodes; beyond that a send fails and is retried elsewhere. */
    private static final int MAX_SENDERS = 256;

    /** Where a job's outcome goes. */
    interface Reply {
        /** The job was sent; {@link #completed()} follows once {@code reply} completes. */
        void sent(IgniteFuture<NodeSearchResult> reply);

        /** The job's reply is complete. */
        void completed();

        /** The job could not be sent. */
        void failed(IgniteException failure);

        /** Whether no one waits for the job any more: then it is cancelled as soon as it is sent. */
        boolean abandoned();
    }

    private final Ignite ignite;
    private final NodeHealth health;
    private final ThreadPoolExecutor senders = new ThreadPoolExecutor(0, MAX_SENDERS, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), Thread.ofPlatform().name("gridvec-search-send-", 0).daemon().factory());

    JobSender(Ignite ignite, NodeHealth health) {
        this.ignite = ignite;
        this.health = health;
    }

    /** Sends {@code job} to {@code node}; the outcome reaches {@code reply} on another thread. */
    void send(ClusterNode node, ShardSearchJob job, Reply reply) {
        try {
            senders.execute(() -> {
                IgniteFuture<NodeSearchResult> future;
                try {
                    future = ignite.compute(ignite.cluster().forNode(node)).callAsync(job);
                } catch (IgniteException e) {
                    reply.failed(e); // the node left, or refused the job: its partitions go elsewhere
                    return;
                }
                reply.sent(future);
                if (reply.abandoned()) {
                    health.cancelLater(future);
                } else {
                    future.listen(done -> reply.completed());
                }
            });
        } catch (RejectedExecutionException e) {
            reply.failed(new ComputeExecutionRejectedException("every search sender thread is busy", e));
        }
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }
}
