package io.gridvec.shard.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.shard.catalog.CollectionSpec;
import io.gridvec.shard.filter.PayloadFilter;
import io.gridvec.shard.lag.IndexLag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shard's read-your-writes contract: the graph plus the exactly-searched tail, newest write per id wins. */
class ShardTest {

    private static final CollectionSpec SPEC = new CollectionSpec("t", 2, "l2", 1, 0, null).validated();

    /** The node's lag this test's shards count their tails in. */
    private final IndexLag lag = new IndexLag(1_000_000, 1L << 40);
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
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run, lag);
        shard.enqueue("a", Change.upsert(1, new float[] {0, 0}, null));
        shard.load("a", Change.upsert(2, new float[] {7, 7}, null));
        shard.ready();
        runHeld();
        List<Shard.Hit> hits = shard.search(new float[] {7, 7}, 1, 0, null, false);
        assertThat(ids(hits)).containsExactly("a");
        assertThat(hits.get(0).score()).isZero();
    }

    @Test
    void anUnversionedWriteFromOutsideGridvecReplacesAVersionedOne() {
        Shard shard = readyShard();
        shard.enqueue("a", Change.upsert(1_000, new float[] {1, 1}, null));
        runHeld();
        // A thin client or SQL wrote the id without a version: the feed delivers it after the versioned write.
        shard.enqueue("a", Change.upsert(0, new float[] {5, 5}, null));
        runHeld();
        assertThat(shard.search(new float[] {5, 5}, 1, 0, null, false).get(0).score()).isZero();
        shard.enqueue("a", Change.upsert(2_000, new float[] {9, 9}, null));
        runHeld();
        assertThat(shard.search(new float[] {9, 9}, 1, 0, null, false).get(0).score()).isZero();
        assertThat(shard.size()).isEqualTo(1);
    }

    @Test
    void aWriteTheScanReadAndTheFeedDeliveredIsIndexedOnce() {
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run, lag);
        // The shard is built while the write arrives: its event is queued, and the partition scan reads it too.
        shard.enqueue("a", Change.upsert(5, new float[] {1, 1}, null));
        shard.load("a", Change.upsert(5, new float[] {1, 1}, null));
        shard.ready();
        runHeld();
        assertThat(shard.size()).isEqualTo(1);
        assertThat(shard.tombstones()).as("no second copy of the same write").isZero();
        // A newer write of the id still replaces it.
        shard.enqueue("a", Change.upsert(6, new float[] {2, 2}, null));
        runHeld();
        assertThat(shard.tombstones()).isEqualTo(1);
        assertThat(shard.search(new float[] {2, 2}, 1, 0, null, false).get(0).score()).isZero();
    }

    @Test
    void aStoppingShardEndsItsDrainAndSnapshotsWhatIsIndexed(@TempDir Path dir) throws Exception {
        Shard shard = readyShard();
        shard.enqueue("a", Change.upsert(1, new float[] {1, 1}, null));
        runHeld();
        shard.enqueue("b", Change.upsert(1, new float[] {2, 2}, null));
        shard.stopDraining();
        runHeld();
        assertThat(shard.size()).as("b stays in the tail").isEqualTo(1);
        assertThat(shard.pendingCount()).isEqualTo(1);
        assertThat(shard.snapshot(dir)).as("the index is free for the final snapshot").isTrue();
        assertThat(ids(shard.search(new float[] {2, 2}, 1, 0, null, false))).containsExactly("b");

        Shard restored = new Shard(SPEC, 0, holding, Runnable::run, lag);
        restored.restoreFrom(dir, SPEC);
        restored.load("a", Change.upsert(1, new float[] {1, 1}, null));
        restored.load("b", Change.upsert(1, new float[] {2, 2}, null));
        restored.ready();
        assertThat(restored.size()).as("the scan loaded what the snapshot lacked").isEqualTo(2);
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
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run, lag);
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
        Shard shard = new Shard(SPEC, 0, Runnable::run, Runnable::run, lag);
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

        Shard restarted = new Shard(SPEC, 0, holding, Runnable::run, lag);
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
    void theScanConfirmsOnlyRecordsTheSnapshotHoldsAtTheSameVersion(@TempDir Path dir) throws Exception {
        Shard original = readyShard();
        original.load("a", Change.upsert(1, new float[] {1, 1}, null));
        original.load("b", Change.upsert(1, new float[] {2, 2}, null));
        original.load("c", Change.upsert(1, new float[] {3, 3}, null));
        original.load("z", Change.upsert(0, new float[] {4, 4}, null));
        original.snapshot(dir);

        Shard restarted = new Shard(SPEC, 0, holding, Runnable::run, lag);
        assertThat(restarted.reconciling()).as("no snapshot restored yet").isFalse();
        restarted.restore(ShardSnapshot.read(dir, 0, SPEC));
        assertThat(restarted.reconciling()).isTrue();
        assertThat(restarted.confirm("a", 1, "{\"lang\": \"en\"}")).isTrue();
        assertThat(restarted.confirm("a", 1, null)).as("confirmed once").isFalse();
        assertThat(restarted.confirm("b", 2, null)).as("another version").isFalse();
        assertThat(restarted.confirm("z", 0, null)).as("no version (written outside Gridvec): always read again")
                .isFalse();
        assertThat(restarted.confirm("x", 1, null)).as("not in the snapshot").isFalse();
        restarted.load("b", Change.upsert(2, new float[] {9, 9}, null));
        assertThat(restarted.reconciling()).as("c is still unconfirmed").isTrue();
        restarted.ready();
        assertThat(restarted.reconciling()).isFalse();

        // c was never seen by the scan: deleted while the snapshot sat on disk.
        assertThat(restarted.size()).isEqualTo(2);
        assertThat(ids(restarted.search(new float[] {3, 3}, 2, 0, null, true))).containsExactly("a", "b");
        PayloadFilter english = PayloadFilter.parse(new ObjectMapper().readTree(
                "{\"must\": [{\"field\": \"lang\", \"eq\": \"en\"}]}"));
        assertThat(ids(restarted.search(new float[] {9, 9}, 2, 0, english, false)))
                .as("the confirmed record carries the payload the scan read").containsExactly("a");
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

    @Test
    void theTailIsCountedInTheNodesIndexLagUntilItIsIndexed() {
        Shard shard = readyShard();
        shard.enqueue("a", Change.upsert(1, new float[] {1, 1}, null));
        shard.enqueue("b", Change.upsert(1, new float[] {2, 2}, "{\"lang\": \"en\"}"));
        long twoWrites = lag.bytes();
        assertThat(lag.records()).isEqualTo(2);
        assertThat(shard.pendingBytes()).isEqualTo(twoWrites).isGreaterThan(2 * 96);
        shard.enqueue("b", Change.upsert(2, new float[] {3, 3}, null));
        assertThat(lag.records()).as("a newer write of the same id replaces it in the tail").isEqualTo(2);
        assertThat(lag.bytes()).as("its payload is gone").isLessThan(twoWrites);
        runHeld();
        assertThat(lag.records()).isZero();
        assertThat(lag.bytes()).isZero();
        assertThat(shard.pendingBytes()).isZero();
    }

    @Test
    void aDroppedShardReleasesItsTailFromTheLagAndNeverBecomesReadyAgain() {
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run, lag);
        shard.enqueue("a", Change.upsert(1, new float[] {1, 1}, null));
        assertThat(lag.records()).isEqualTo(1);
        shard.drop();
        assertThat(lag.records()).isZero();
        assertThat(lag.bytes()).isZero();
        assertThat(shard.ready()).isFalse();
        assertThat(shard.state()).isEqualTo(Shard.State.DROPPED);
    }

    @Test
    void readyAndDropRacingNeverResurrectADroppedShardNorLeakLag() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 600; round++) {
                Shard shard = new Shard(SPEC, 0, Runnable::run, Runnable::run, lag);
                CountDownLatch start = new CountDownLatch(1);
                Future<Boolean> ready = pool.submit(() -> {
                    start.await();
                    return shard.ready();
                });
                Future<?> drop = pool.submit(() -> {
                    start.await();
                    shard.enqueue("a", Change.upsert(1, new float[] {1, 1}, null));
                    shard.drop();
                    shard.enqueue("b", Change.upsert(1, new float[] {2, 2}, null));
                    return null;
                });
                start.countDown();
                ready.get();
                drop.get();
                assertThat(shard.state()).as("round " + round).isEqualTo(Shard.State.DROPPED);
                assertThat(lag.records()).as("round " + round).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aChangeThatFailsToApplyStopsTheDrainsStaysSearchableAndAsksForARebuild() {
        Shard shard = readyShard();
        shard.enqueue("good", Change.upsert(1, new float[] {1, 1}, null));
        runHeld();
        // A 3-d vector in a 2-d shard: the index refuses it. (Changes read from Ignite are checked before they get
        // here; this is the shape of any change whose application fails.)
        shard.enqueue("bad", Change.upsert(1, new float[] {1, 1, 1}, null));
        shard.enqueue("later", Change.upsert(1, new float[] {5, 5}, null));
        runHeld();
        assertThat(shard.needsRebuild()).isTrue();
        assertThat(shard.failures()).isEqualTo(1);
        assertThat(held).as("no drain runs again and again over the same failure").isEmpty();
        assertThat(ids(shard.search(new float[] {5, 5}, 1, 0, null, false))).containsExactly("later");
        shard.enqueue("more", Change.upsert(1, new float[] {7, 7}, null));
        assertThat(held).as("a shard awaiting its rebuild drains no more").isEmpty();
        shard.drop();
        assertThat(lag.records()).as("the rebuild's drop releases the tail").isZero();
    }

    @Test
    void valuesThatAreNotSearchableRecordsLeaveTheIndexAndAreCounted() {
        Shard shard = readyShard();
        shard.load("a", Change.upsert(1, new float[] {1, 1}, null));
        shard.enqueue("a", Change.of("a string written by a thin client", SPEC));
        assertThat(shard.search(new float[] {1, 1}, 1, 0, null, false)).isEmpty();
        runHeld();
        assertThat(shard.size()).isZero();
        assertThat(shard.unsearchable()).isEqualTo(1);
        assertThat(shard.failures()).isZero();
    }

    @Test
    void aFilterOnDeclaredFieldsAnswersExactlyAsAFullPassThroughWritesDeletesAndTheTail() throws Exception {
        long seed = Long.getLong("gridvec.test.seed", System.nanoTime());
        Random random = new Random(seed);
        CollectionSpec declared = new CollectionSpec("t", 2, "l2", 1, 0, null, 0,
                Map.of("category", "string", "price", "double", "year", "int", "open", "boolean")).validated();
        Shard indexed = new Shard(declared, 0, Runnable::run, Runnable::run, lag);
        Shard fullPass = new Shard(SPEC, 0, Runnable::run, Runnable::run, lag);
        indexed.ready();
        fullPass.ready();
        for (int write = 0; write < 3_000; write++) {
            String id = "r" + random.nextInt(800);
            Change change = random.nextInt(10) == 0 ? Change.deletion()
                    : Change.upsert(write + 1, new float[] {random.nextFloat(), random.nextFloat()},
                            payload(random));
            indexed.enqueue(id, change);
            fullPass.enqueue(id, change);
        }
        // Writes held in the tail too: the index must not answer for them.
        Shard heldIndexed = new Shard(declared, 0, holding, Runnable::run, lag);
        heldIndexed.ready();
        String[] filters = {
            "{\"must\": [{\"field\": \"category\", \"eq\": \"c3\"}]}",
            "{\"must\": [{\"field\": \"category\", \"in\": [\"c1\", \"c2\"]}, {\"field\": \"open\", \"eq\": true}]}",
            "{\"must\": [{\"field\": \"price\", \"range\": {\"gte\": 10, \"lt\": 12.5}}]}",
            "{\"must\": [{\"field\": \"year\", \"eq\": 2020}, {\"field\": \"lang\", \"eq\": \"en\"}]}",
            "{\"must\": [{\"field\": \"year\", \"eq\": 2020.0}], "
                    + "\"must_not\": [{\"field\": \"category\", \"eq\": \"c0\"}]}",
            "{\"must\": [{\"field\": \"price\", \"range\": {\"gt\": 99}}]}",
            "{\"should\": [{\"field\": \"category\", \"eq\": \"c3\"}, {\"field\": \"year\", \"eq\": 2021}]}",
            "{\"must\": [{\"field\": \"category\", \"eq\": \"nowhere\"}]}"};
        ObjectMapper json = new ObjectMapper();
        for (String text : filters) {
            PayloadFilter filter = PayloadFilter.parse(json.readTree(text));
            for (int q = 0; q < 5; q++) {
                float[] query = {random.nextFloat(), random.nextFloat()};
                assertThat(indexed.search(query, 10, 0, filter, true))
                        .as("filter %s, seed %d", text, seed)
                        .isEqualTo(fullPass.search(query, 10, 0, filter, true));
            }
        }
        // Records still in the tail are found through the tail, not twice and not through the index.
        heldIndexed.enqueue("x", Change.upsert(1, new float[] {0, 0}, "{\"category\": \"c3\"}"));
        PayloadFilter c3 = PayloadFilter.parse(json.readTree(filters[0]));
        assertThat(ids(heldIndexed.search(new float[] {0, 0}, 5, 0, c3, false))).containsExactly("x");
        runHeld();
        assertThat(ids(heldIndexed.search(new float[] {0, 0}, 5, 0, c3, false))).containsExactly("x");
        heldIndexed.enqueue("x", Change.upsert(2, new float[] {0, 0}, "{\"category\": \"c4\"}"));
        runHeld();
        assertThat(heldIndexed.search(new float[] {0, 0}, 5, 0, c3, false)).isEmpty();
    }

    /** A payload with some of the declared fields (as a merged payload shows them) and an undeclared one. */
    private static String payload(Random random) {
        List<String> members = new ArrayList<>();
        if (random.nextInt(5) > 0) {
            members.add("\"category\": \"c" + random.nextInt(8) + "\"");
        }
        if (random.nextInt(4) > 0) {
            members.add("\"price\": " + (random.nextBoolean() ? random.nextInt(20) : random.nextInt(2_000) / 100.0));
        }
        if (random.nextBoolean()) {
            members.add("\"year\": " + (2018 + random.nextInt(4)));
        }
        if (random.nextBoolean()) {
            members.add("\"open\": " + random.nextBoolean());
        }
        if (random.nextBoolean()) {
            members.add("\"lang\": \"" + (random.nextBoolean() ? "en" : "fr") + "\"");
        }
        return members.isEmpty() && random.nextBoolean() ? null : "{" + String.join(", ", members) + "}";
    }

    private Shard readyShard() {
        Shard shard = new Shard(SPEC, 0, holding, Runnable::run, lag);
        shard.ready();
        return shard;
    }

    private static List<String> ids(List<Shard.Hit> hits) {
        return hits.stream().map(Shard.Hit::id).toList();
    }
}
