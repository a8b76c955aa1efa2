package io.gridvec.shard.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.shard.TestIgnite;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.lag.IndexLag;
import io.gridvec.shard.record.RecordStore;
import io.gridvec.shard.record.StoredRecord;
import io.gridvec.shard.search.NodeSearchResult;
import io.gridvec.shard.search.SearchHit;
import io.gridvec.shard.search.SearchQuery;
import io.gridvec.shard.search.ShardSearchJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.ClusterState;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shards of one real persistent Ignite node: they follow the collections of the catalog, take writes from the
 * cache events, count their tails in the node's index lag, answer search jobs, and skip what is not theirs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardRegistryIT {

    @TempDir
    static Path dir;

    private final IndexLag lag = new IndexLag(1_000_000, 1L << 40);
    private ShardRegistry registry;
    private Ignite ignite;

    @BeforeAll
    void startNode() throws Exception {
        registry = new ShardRegistry(dir.resolve("shards"), lag);
        IgniteConfiguration configuration = TestIgnite.configuration(dir, "shard-registry-it");
        registry.configure(configuration);
        ignite = Ignition.start(configuration);
        ignite.cluster().state(ClusterState.ACTIVE);
        registry.start(ignite);
    }

    @AfterAll
    void stopNode() {
        try {
            registry.close();
        } finally {
            Ignition.stop(ignite.name(), true);
        }
    }

    @Test
    void shardsFollowTheCatalogIndexWritesAndAnswerSearchJobs() {
        CollectionSpec spec = create("docs", 4);
        RecordStore store = new RecordStore(ignite);
        List<StoredRecord> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(new StoredRecord("r" + i, new float[] {i, i}, "{\"n\": " + i + "}", 0));
        }
        store.upsert(spec, records);
        awaitReadyAndCaughtUp();
        Readiness readiness = registry.readiness();
        assertThat(readiness.ownedShards()).isEqualTo(4);
        assertThat(readiness.readyShards()).isEqualTo(4);
        assertThat(registry.statuses("docs")).extracting(status -> status.state).containsOnly("READY");
        assertThat(registry.statuses("docs").stream().mapToInt(status -> status.records).sum()).isEqualTo(200);

        SearchQuery query = new SearchQuery(new float[] {10.1f, 10.1f}, 3, 0, "{\"must\": [{\"field\": \"n\", "
                + "\"range\": {\"gte\": 11}}]}", false, true, false);
        NodeSearchResult result = ignite.compute().call(new ShardSearchJob(spec.cacheName(), new int[] {0, 1, 2, 3},
                new SearchQuery[] {query}, Map.of()));
        assertThat(result.searched()).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(result.moved()).isEmpty();
        assertThat(Arrays.stream(result.hits(0)).map(SearchHit::id)).containsExactly("r11", "r12", "r13");
        assertThat(result.hits(0)[0].payload()).isEqualTo("{\"n\": 11}");

        NodeSearchResult unknown = ignite.compute().call(new ShardSearchJob("gv_nope", new int[] {0, 1},
                new SearchQuery[] {query}, Map.of()));
        assertThat(unknown.moved()).as("partitions of a collection this node has no shards of").containsExactly(0, 1);
    }

    @Test
    void entriesWithKeysThatAreNotStringsDoNotStopABuild() {
        CollectionSpec spec = create("foreign", 1);
        ignite.cache(spec.cacheName()).put(42, "a thin client's entry");
        new RecordStore(ignite).upsert(spec, List.of(new StoredRecord("a", new float[] {1, 1}, null, 0)));
        awaitReadyAndCaughtUp();
        assertThat(registry.statuses("foreign")).singleElement().satisfies(status -> {
            assertThat(status.state).isEqualTo("READY");
            assertThat(status.records).isEqualTo(1);
        });
        assertThat(registry.readiness().failures()).containsEntry("builds", 0L).containsEntry("events", 0L);
    }

    private CollectionSpec create(String name, int partitions) {
        CollectionSpec spec = new CollectionSpec(name, 2, "l2", partitions, 0, null).validated();
        new CollectionCatalog(ignite).create(spec);
        return spec;
    }

    private void awaitReadyAndCaughtUp() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.readiness().ready()
                && lag.records() == 0);
    }
}
