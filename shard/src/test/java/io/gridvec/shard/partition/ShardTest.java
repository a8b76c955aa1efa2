package io.gridvec.shard.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.PayloadFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard's read-your-writes contract: the graph plus the exactly-searched tail, newest write per id wins. */
class ShardTest {

    private static final CollectionSpec SPEC = new CollectionSpec("t", 2, "l2", 1, 0, null).validated();

    /** Holds drain tasks until the test runs them, so writes stay in the tail. */
    private final List<Runnable> held = new ArrayList<>();
    private final Executor holding = held::add;

    private void runHeld() {
        while (!held.isEmpty()) {
            held.remove(0).run();
        }
    }

    @Test
    void aWriteIsSearchableBeforeItIsIndexedAndAfter() {
        Shard shard = readyShard();
        shard.enqueue("a", Change.upsert(1, new float[] {1, 1}, null));
        assertThat(shard.size()).isZero();
        assertThat(ids(shard.search(new float[] {1, 1}, 1, 0, null, false))).containsExactly("a");
        runHeld();
        assertThat(shard.size()).isEqualTo(1);
        assertThat(shard.pendingCount()).isZero();
        assertThat(ids(shard.search(new float[] {1, 1}, 1, 0, null, false))).containsExactly("a");
    }

    @Test
    void aPendingWriteShadowsTheIndexedVersionAndADeletionHidesIt() {
        Shard shard = readyShard();
        shard.load("a", Change.upsert(1, new float[] {0, 0}, null));
        shard.load("b", Change.upsert(1, new float[] {5, 5}, null));
        shard.enqueue("a", Change.upsert(2, new float[] {9, 9}, null));
        List<Shard.Hit> hits = shard.search(new float[] {0, 0}, 2, 0, null, false);
        assertThat(ids(hits)).containsExactly("b", "a");
        assertThat(hits.get(1).score()).isEqualTo(162f);
        shard.enqueue("b", Change.deletion());
        assertThat(ids(shard.search(new float[] {0, 0}, 2, 0, null, true))).containsExactly("a");
        runHeld();
        assertThat(ids(shard.search(new float[] {0, 0}, 2, 0, null, false))).containsExactly("a");
        assertThat(shard.size()).isEqualTo(1);
    }

    @Test
    void anOlderWriteNeverReplacesANewerOneTheScanRead() {
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run);
        shard.enqueue("a", Change.upsert(1, new float[] {0, 0}, null));
        shard.load("a", Change.upsert(2, new float[] {7, 7}, null));
        shard.ready();
        runHeld();
        List<Shard.Hit> hits = shard.search(new float[] {7, 7}, 1, 0, null, false);
        assertThat(ids(hits)).containsExactly("a");
        assertThat(hits.get(0).score()).isZero();
    }

    @Test
    void filtersApplyToIndexedAndPendingRecords() throws Exception {
        Shard shard = readyShard();
        shard.load("en", Change.upsert(1, new float[] {0, 0}, "{\"lang\": \"en\"}"));
        shard.load("de", Change.upsert(1, new float[] {1, 1}, "{\"lang\": \"de\"}"));
        shard.enqueue("fr", Change.upsert(1, new float[] {0, 1}, "{\"lang\": \"fr\"}"));
        shard.enqueue("en2", Change.upsert(1, new float[] {0, 0}, "{\"lang\": \"en\"}"));
        PayloadFilter notEnglish = PayloadFilter.parse(new ObjectMapper().readTree(
                "{\"must_not\": [{\"field\": \"lang\", \"eq\": \"en\"}]}"));
        assertThat(ids(shard.search(new float[] {0, 0}, 10, 0, notEnglish, false))).containsExactly("fr", "de");
    }

    @Test
    void aBuildingOrDroppedShardAppliesNothingAndADroppedOneForgetsItsTail() {
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run);
        shard.enqueue("a", Change.upsert(1, new float[] {1, 1}, null));
        assertThat(held).as("no drain while building").isEmpty();
        shard.drop();
        assertThat(shard.pendingCount()).isZero();
        shard.enqueue("b", Change.upsert(1, new float[] {1, 1}, null));
        assertThat(shard.pendingCount()).isZero();
        assertThat(shard.state()).isEqualTo(Shard.State.DROPPED);
    }

    @Test
    void manyDeletionsCompactTheIndexAndSearchesStayRight() {
        Shard shard = new Shard(SPEC, 0, Runnable::run, Runnable::run);
        int n = Shard.COMPACT_MIN_TOMBSTONES * 2;
        for (int i = 0; i < n; i++) {
            shard.load("r" + i, Change.upsert(1, new float[] {i, i}, null));
        }
        shard.ready();
        for (int i = 0; i < n; i += 2) {
            shard.enqueue("r" + i, Change.deletion());
        }
        assertThat(shard.size()).isEqualTo(n / 2);
        assertThat(shard.tombstones()).as("compacted once the tombstones passed the threshold").isZero();
        assertThat(ids(shard.search(new float[] {10.2f, 10.2f}, 3, 0, null, false))).containsExactly("r11", "r9", "r13");
    }

    @Test
    void aRestoredSnapshotIsReconciledWithThePartition(@TempDir Path dir) throws Exception {
        Shard original = readyShard();
        for (int i = 0; i < 100; i++) {
            original.load("r" + i, Change.upsert(1, new float[] {i, i}, null));
        }
        assertThat(original.snapshot(dir)).isTrue();
        assertThat(original.snapshot(dir)).as("nothing changed since").isFalse();

        Shard restarted = new Shard(SPEC, 0, holding, Runnable::run);
        restarted.restore(ShardSnapshot.read(dir, 0, SPEC));
        // The partition now: r0 was rewritten, r1 deleted while the node was down, r100 is new, the rest unchanged.
        restarted.load("r0", Change.upsert(2, new float[] {500, 500}, null));
        for (int i = 2; i < 100; i++) {
            restarted.load("r" + i, Change.upsert(1, new float[] {i, i}, null));
        }
        restarted.load("r100", Change.upsert(1, new float[] {-1, -1}, null));
        restarted.ready();
        assertThat(restarted.size()).isEqualTo(100);
        assertThat(ids(restarted.search(new float[] {0, 0}, 3, 0, null, true))).containsExactly("r100", "r2", "r3");
        assertThat(ids(restarted.search(new float[] {500, 500}, 1, 0, null, true))).containsExactly("r0");
    }

    @Test
    void aDamagedSnapshotIsRefusedNamingTheProblem(@TempDir Path dir) throws Exception {
        Shard shard = readyShard();
        shard.load("a", Change.upsert(1, new float[] {1, 1}, null));
        shard.snapshot(dir);
        Path versions = dir.resolve("0.versions");
        byte[] bytes = Files.readAllBytes(versions);
        bytes[14] ^= 1;
        Files.write(versions, bytes);
        assertThatThrownBy(() -> ShardSnapshot.read(dir, 0, SPEC)).isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("checksum");
        CollectionSpec other = new CollectionSpec("t", 3, "l2", 1, 0, null).validated();
        shard.load("b", Change.upsert(1, new float[] {2, 2}, null));
        shard.snapshot(dir);
        assertThatThrownBy(() -> ShardSnapshot.read(dir, 0, other)).isInstanceOf(SnapshotFormatException.class)
                .hasMessageContaining("the collection is 3-d");
        Files.delete(dir.resolve("0.hnsw"));
        assertThatThrownBy(() -> ShardSnapshot.read(dir, 0, SPEC)).isInstanceOf(java.io.IOException.class);
        Files.delete(versions);
        assertThat(ShardSnapshot.read(dir, 0, SPEC)).as("no snapshot at all").isNull();
    }

    private Shard readyShard() {
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run);
        shard.ready();
        return shard;
    }

    private static List<String> ids(List<Shard.Hit> hits) {
        return hits.stream().map(Shard.Hit::id).toList();
    }
}
