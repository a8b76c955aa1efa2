package io.gridvec.shard.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.shard.TestIgnite;
import io.gridvec.shard.catalog.CollectionCatalog;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.partition.Shard;
import io.gridvec.shard.record.RecordStore;
import io.gridvec.shard.record.StoredRecord;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.cluster.ClusterState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attaching payloads to a node's hits, against the records of a real persistent Ignite node. */
class LocalSearchIT {

    @TempDir
    Path dir;

    @Test
    void aHitWhoseRecordIsDeletedBeforeItsPayloadIsAttachedIsDroppedAndTheNextTakesItsPlace() throws Exception {
        try (Ignite ignite = Ignition.start(TestIgnite.configuration(dir, "local-search-it"))) {
            ignite.cluster().state(ClusterState.ACTIVE);
            CollectionSpec spec = new CollectionSpec("gone", 2, "l2", 1, 0, null).validated();
            new CollectionCatalog(ignite).create(spec);
            RecordStore store = new RecordStore(ignite);
            store.upsert(spec, List.of(new StoredRecord("a", new float[] {0, 0}, "{\"k\": 1}", 0),
                    new StoredRecord("b", new float[] {1, 1}, "{\"k\": 2}", 0),
                    new StoredRecord("c", new float[] {2, 2}, null, 0)));
            // The shard ranked a first, then the record was deleted before its payload was read.
            List<Shard.Hit> ranked = List.of(new Shard.Hit("a", 0), new Shard.Hit("b", 2), new Shard.Hit("c", 8));
            store.delete(spec, List.of("a"));

            SearchQuery withPayload = new SearchQuery(new float[] {0, 0}, 2, 0, null, false, true, false);
            SearchHit[] hits = LocalSearch.attach(ignite.cache(spec.cacheName()).withKeepBinary(), ranked,
                    withPayload);
            assertThat(Arrays.stream(hits).map(SearchHit::id)).containsExactly("b", "c");
            assertThat(hits[0].payload()).isEqualTo("{\"k\": 2}");
            assertThat(hits[1].payload()).as("a record without a payload keeps its hit").isNull();

            SearchQuery withVector = new SearchQuery(new float[] {0, 0}, 1, 0, null, false, false, true);
            SearchHit[] vectors = LocalSearch.attach(ignite.cache(spec.cacheName()).withKeepBinary(), ranked,
                    withVector);
            assertThat(vectors).singleElement().satisfies(hit -> assertThat(hit.vector()).containsExactly(1, 1));
        }
    }
}
