package io.gridvec.shard.registry;

import static org.apache.ignite.events.EventType.EVT_CACHE_OBJECT_EXPIRED;
import static org.apache.ignite.events.EventType.EVT_CACHE_OBJECT_PUT;
import static org.apache.ignite.events.EventType.EVT_CACHE_OBJECT_REMOVED;
import static org.apache.ignite.events.EventType.EVT_CACHE_REBALANCE_PART_LOADED;
import static org.apache.ignite.events.EventType.EVT_CACHE_REBALANCE_PART_UNLOADED;
import static org.apache.ignite.events.EventType.EVT_CACHE_STARTED;
import static org.apache.ignite.events.EventType.EVT_CACHE_STOPPED;
import static org.apache.ignite.events.EventType.EVT_NODE_FAILED;
import static org.apache.ignite.events.EventType.EVT_NODE_JOINED;
import static org.apache.ignite.events.EventType.EVT_NODE_LEFT;

import io.gridvec.shard.partition.Change;
import io.gridvec.shard.partition.Shard;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.events.CacheEvent;
import org.apache.ignite.events.CacheRebalancingEvent;
import org.apache.ignite.events.Event;
import org.apache.ignite.lang.IgnitePredicate;

/**
 * The shards' intake from Ignite: {@code EVT_CACHE_OBJECT_PUT/REMOVED/EXPIRED} (which fire on primaries and backups
 * alike; an expiry is a removal) go into the tail of the partition's shard; rebalancing, cache and topology events
 * ask the {@link ShardFollower} for a round. The listener is registered in the node's configuration, so nothing
 * before start-up is missed, and it runs on Ignite's threads, some inside entry locks, so it only does cheap work.
 * Thread-safe.
 */
final class ShardFeed {

    private static final System.Logger LOG = System.getLogger(ShardFeed.class.getName());
    private static final int[] EVENTS = {EVT_CACHE_OBJECT_PUT, EVT_CACHE_OBJECT_REMOVED, EVT_CACHE_OBJECT_EXPIRED,
        EVT_CACHE_REBALANCE_PART_LOADED, EVT_CACHE_REBALANCE_PART_UNLOADED, EVT_CACHE_STARTED, EVT_CACHE_STOPPED,
        EVT_NODE_JOINED, EVT_NODE_LEFT, EVT_NODE_FAILED};

    private final Map<String, CollectionShards> collections;
    private final ShardFollower follower;
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closed;

    ShardFeed(Map<String, CollectionShards> collections, ShardFollower follower) {
        this.collections = collections;
        this.follower = follower;
    }

    /** Adds the events shards need, and this feed as their listener, to a node's configuration. */
    void configure(IgniteConfiguration configuration) {
        int[] included = configuration.getIncludeEventTypes();
        int[] all = included == null ? EVENTS : IntStream.concat(Arrays.stream(included), Arrays.stream(EVENTS))
                .distinct().toArray();
        IgnitePredicate<Event> listener = this::onEvent;
        configuration.setIncludeEventTypes(all);
        configuration.setLocalEventListeners(Map.of(listener, EVENTS));
    }

    /** Returns how many events failed to reach their shard. */
    long failures() {
        return failures.get();
    }

    void close() {
        closed = true;
    }

    private boolean onEvent(Event event) {
        if (closed) {
            return true;
        }
        try {
            switch (event.type()) {
                case EVT_CACHE_OBJECT_PUT, EVT_CACHE_OBJECT_REMOVED, EVT_CACHE_OBJECT_EXPIRED ->
                        onWrite((CacheEvent) event);
                case EVT_CACHE_REBALANCE_PART_LOADED, EVT_CACHE_REBALANCE_PART_UNLOADED -> {
                    // Loaded: the partition was (re)filled by rebalancing, so a shard built before is stale.
                    CacheRebalancingEvent rebalance = (CacheRebalancingEvent) event;
                    dropShard(rebalance.cacheName(), rebalance.partition());
                    follower.request();
                }
                case EVT_CACHE_STOPPED -> {
                    // Dropped here, not on the next round: a collection deleted and created again with the same
                    // spec must not keep the old collection's shards.
                    if (event instanceof CacheEvent stopped) {
                        CollectionShards collection = collections.remove(stopped.cacheName());
                        if (collection != null) {
                            collection.dropAll();
                        }
                    }
                    follower.request();
                }
                default -> follower.request();
            }
        } catch (RuntimeException e) {
            // The boundary of Ignite's thread: never let a shard's failure break Ignite's update path. A lost write
            // makes its shard stale, so the shard is rebuilt from its partition.
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "a cache event could not reach its shard: " + event.name()
                    + "; the shard will be rebuilt", e);
            if (event instanceof CacheEvent cacheEvent) {
                dropShard(cacheEvent.cacheName(), cacheEvent.partition());
            }
            follower.request();
        }
        return true;
    }

    private void dropShard(String cacheName, int partition) {
        CollectionShards collection = collections.get(cacheName);
        Shard shard = collection == null ? null : collection.shards().get(partition);
        if (shard != null) {
            collection.drop(partition, shard);
        }
    }

    private void onWrite(CacheEvent event) {
        CollectionShards collection = collections.get(event.cacheName());
        Shard shard = collection == null ? null : collection.shards().get(event.partition());
        if (shard == null || !(event.key() instanceof String id)) {
            return; // no shard yet: the scan that builds it will read this write
        }
        shard.enqueue(id, event.type() == EVT_CACHE_OBJECT_PUT ? Change.of(event.newValue(), collection.spec())
                : Change.deletion());
    }
}
