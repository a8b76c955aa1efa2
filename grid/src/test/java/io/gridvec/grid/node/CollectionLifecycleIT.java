package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import io.gridvec.shard.catalog.CollectionCatalog;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collection's create and delete against crashes and races, on two persistent nodes in one JVM over real HTTP. A
 * crash between the two steps of a create or delete is reproduced by writing the catalog entry such a crash leaves:
 * owned by a node id that is not in the topology. Each test uses its own collection names. The race test is seeded
 * ({@code -Dgridvec.test.seed} replays the choice of requests, not the threads' interleaving).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectionLifecycleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("gridvec.test.seed", System.nanoTime());
    private static final String SPEC_A = "{\"dimension\": 4, \"metric\": \"l2\", \"partitions\": 4}";
    private static final String SPEC_B = "{\"dimension\": 4, \"metric\": \"l2\", \"partitions\": 8, \"backups\": 0}";
    private static final String RECORDS = "{\"records\": [{\"id\": \"a\", \"vector\": [1, 0, 0, 0]},"
            + " {\"id\": \"b\", \"vector\": [0, 1, 0, 0]}]}";

    @TempDir
    static Path dataDir;

    private final GridNode[] nodes = new GridNode[2];
    private final GridvecConfig[] configs = new GridvecConfig[2];

    @BeforeAll
    void startCluster() throws Exception {
        configs[0] = TestNodes.config(dataDir, "life0", 2);
        configs[1] = TestNodes.joining(TestNodes.config(dataDir, "life1", 2), configs[0]);
        // One after the other (nodes started at once can race to form the cluster): the fresh cluster activates
        // once both have joined.
        nodes[0] = GridNode.start(configs[0]);
        nodes[1] = GridNode.start(configs[1]);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> nodes[0].ignite().cluster().state().active());
    }

    @AfterAll
    void stopCluster() {
        TestNodes.stopAll(nodes);
    }

    @Test
    void aDeleteCrashedBetweenItsStepsIsHiddenAndRepairFinishesIt() throws Exception {
        String spec = create("crashdel", SPEC_A);
        assertThat(http(1, "PUT", "/v1/collections/crashdel/records", RECORDS).statusCode()).isEqualTo(200);
        writeEntry("crashdel", "DELETING", spec); // the crash: entry claimed, cache (with records) not yet destroyed

        assertThat(http(0, "GET", "/v1/collections/crashdel", null).statusCode()).isEqualTo(404);
        assertThat(http(1, "GET", "/v1/collections/crashdel/records/a", null).statusCode()).isEqualTo(404);
        assertThat(http(0, "GET", "/v1/collections", null).body()).doesNotContain("crashdel");

        assertThat(catalog(1).finishInterrupted()).isEqualTo(1);
        assertThat(ignite().cacheNames()).doesNotContain("gv_crashdel");
        assertThat(catalogValue("crashdel")).isNull();
        assertThat(catalog(0).finishInterrupted()).isZero();

        create("crashdel", SPEC_B);
        assertThat(cacheConfiguration("gv_crashdel").getAffinity().partitions()).isEqualTo(8);
        assertThat(JSON.readTree(http(1, "GET", "/v1/collections/crashdel", null).body()).path("count").asLong())
                .isZero();
    }

    @Test
    void aDeleteCrashedBetweenItsStepsIsFinishedByTheNextCreateOrDelete() throws Exception {
        String spec = create("crashdel2", SPEC_A);
        assertThat(http(0, "PUT", "/v1/collections/crashdel2/records", RECORDS).statusCode()).isEqualTo(200);
        writeEntry("crashdel2", "DELETING", spec);
        HttpResponse<String> created = http(1, "PUT", "/v1/collections/crashdel2", SPEC_B);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(cacheConfiguration("gv_crashdel2").getAffinity().partitions()).isEqualTo(8);
        assertThat(JSON.readTree(http(0, "GET", "/v1/collections/crashdel2", null).body()).path("count").asLong())
                .isZero();

        writeEntry("crashdel2", "DELETING", JSON.readTree(created.body()).toString());
        assertThat(http(0, "DELETE", "/v1/collections/crashdel2", null).statusCode()).isEqualTo(200);
        assertThat(ignite().cacheNames()).doesNotContain("gv_crashdel2");
        assertThat(catalogValue("crashdel2")).isNull();
    }

    @Test
    void aCreateCrashedBetweenItsStepsIsCompletedByTheSameSpecOrRepairAndReplacedByAnother() throws Exception {
        // Crashed after creating the cache: a create with the same spec completes it (201: this request made it).
        String spec = create("crashnew", SPEC_A);
        writeEntry("crashnew", "CREATING", spec);
        assertThat(http(0, "GET", "/v1/collections/crashnew", null).statusCode()).isEqualTo(404);
        assertThat(http(1, "PUT", "/v1/collections/crashnew", SPEC_A).statusCode()).isEqualTo(201);
        assertThat(http(0, "PUT", "/v1/collections/crashnew", SPEC_A).statusCode()).isEqualTo(200);
        assertThat(http(0, "PUT", "/v1/collections/crashnew/records", RECORDS).statusCode()).isEqualTo(200);

        // Crashed before creating the cache: repair rolls it forward.
        String spec2 = spec("crashnew2", 4, 1);
        writeEntry("crashnew2", "CREATING", spec2);
        assertThat(ignite().cacheNames()).doesNotContain("gv_crashnew2");
        assertThat(catalog(0).finishInterrupted()).isEqualTo(1);
        assertThat(JSON.readTree(http(1, "GET", "/v1/collections/crashnew2", null).body()).path("partitions").asInt())
                .isEqualTo(4);
        assertThat(cacheConfiguration("gv_crashnew2").getAffinity().partitions()).isEqualTo(4);

        // Crashed with the cache made (and written to meanwhile): a create with another spec replaces it.
        writeEntry("crashnew", "CREATING", spec);
        HttpResponse<String> replaced = http(0, "PUT", "/v1/collections/crashnew", SPEC_B);
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(201);
        assertThat(cacheConfiguration("gv_crashnew").getAffinity().partitions()).isEqualTo(8);
        assertThat(cacheConfiguration("gv_crashnew").getBackups()).isZero();
        assertThat(JSON.readTree(http(1, "GET", "/v1/collections/crashnew", null).body()).path("count").asLong())
                .isZero();

        // And a delete finishes one as a delete.
        writeEntry("crashnew2", "CREATING", spec2);
        assertThat(http(1, "DELETE", "/v1/collections/crashnew2", null).statusCode()).isEqualTo(200);
        assertThat(ignite().cacheNames()).doesNotContain("gv_crashnew2");
        assertThat(catalogValue("crashnew2")).isNull();
    }

    @Test
    void repairRunningOnBothNodesAtOnceFinishesEachInterruptedStepOnce() throws Exception {
        writeEntry("rep1", "DELETING", create("rep1", SPEC_A));
        writeEntry("rep2", "DELETING", create("rep2", SPEC_B));
        writeEntry("rep3", "CREATING", spec("rep3", 4, 1));

        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> first = pool.submit(() -> {
                start.await();
                return catalog(0).finishInterrupted();
            });
            Future<Integer> second = pool.submit(() -> {
                start.await();
                return catalog(1).finishInterrupted();
            });
            assertThat(first.get() + second.get()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ignite().cacheNames()).doesNotContain("gv_rep1", "gv_rep2");
        assertThat(catalogValue("rep1")).isNull();
        assertThat(catalogValue("rep2")).isNull();
        assertThat(JSON.readTree(catalogValue("rep3")).path("state").asText()).isEqualTo("ACTIVE");
        assertThat(cacheConfiguration("gv_rep3").getAffinity().partitions()).isEqualTo(4);
    }

    @Test
    void aCacheThatIsNotACollectionIsNeverUsedNorDestroyed() throws Exception {
        IgniteCache<Object, Object> foreign = ignite().createCache(
                new CacheConfiguration<>("gv_foreign").setBackups(0));
        foreign.put("k", "someone else's data");
        try {
            HttpResponse<String> conflict = http(1, "PUT", "/v1/collections/foreign", SPEC_A);
            assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
            JsonNode error = JSON.readTree(conflict.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("CONFLICT");
            assertThat(error.path("message").asText())
                    .startsWith("an Ignite cache gv_foreign exists that is not a Gridvec collection");
            assertThat(http(0, "GET", "/v1/collections/foreign", null).statusCode()).isEqualTo(404);
            assertThat(http(0, "DELETE", "/v1/collections/foreign", null).statusCode()).isEqualTo(404);
            assertThat(catalogValue("foreign")).isNull();
            assertThat(nodes[1].ignite().cache("gv_foreign").get("k")).isEqualTo("someone else's data");
            assertThat(cacheConfiguration("gv_foreign").getAffinity().partitions()).isEqualTo(1024);
        } finally {
            ignite().destroyCache("gv_foreign");
        }
    }

    @Test
    void aCreateThatFindsItsNameTakenByACacheOfAnotherConfigurationFailsAndLeavesItAlone() throws Exception {
        // A create crashed after its claim, and meanwhile someone made gv_taken through Ignite (1,024 partitions).
        IgniteCache<Object, Object> foreign = ignite().createCache(new CacheConfiguration<>("gv_taken").setBackups(0));
        foreign.put("k", "someone else's data");
        try {
            writeEntry("taken", "CREATING", spec("taken", 4, 1));
            HttpResponse<String> failed = http(1, "PUT", "/v1/collections/taken", SPEC_A);
            assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
            assertThat(catalogValue("taken")).isNull();
            assertThat(nodes[1].ignite().cache("gv_taken").get("k")).isEqualTo("someone else's data");
            assertThat(http(0, "PUT", "/v1/collections/taken", SPEC_A).statusCode()).isEqualTo(409);
            assertThat(cacheConfiguration("gv_taken").getAffinity().partitions()).isEqualTo(1024);
        } finally {
            ignite().destroyCache("gv_taken");
        }
    }

    @Test
    void aStepOfANodeInTheTopologyIsWaitedForThen503WithRetryAfterAndTakenOverOnceThatNodeLeaves() throws Exception {
        // The owner: a node that is in the topology but runs no Gridvec code, so its step never ends on its own.
        IgniteConfiguration clientConfiguration = GridNode.igniteConfiguration(TestNodes.joining(
                        TestNodes.config(dataDir, "life-client", 2), configs[0]))
                .setClientMode(true)
                .setClientConnectorConfiguration(null);
        UUID owner;
        try (Ignite client = Ignition.start(clientConfiguration)) {
            owner = client.cluster().localNode().id();
            writeEntry("busy", "CREATING", owner, spec("busy", 4, 1));

            HttpResponse<String> busy = http(0, "PUT", "/v1/collections/busy", SPEC_A);
            assertThat(busy.statusCode()).as(busy.body()).isEqualTo(503);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            JsonNode error = JSON.readTree(busy.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("UNAVAILABLE");
            assertThat(error.path("message").asText())
                    .isEqualTo("collection 'busy' is being created by another request; retry");
            assertThat(catalog(0).finishInterrupted()).isZero();
            assertThat(catalog(1).finishInterrupted()).isZero();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Arrays.stream(nodes)
                .allMatch(node -> node.ignite().cluster().node(owner) == null));

        assertThat(http(1, "PUT", "/v1/collections/busy", SPEC_A).statusCode()).isEqualTo(201);
        assertThat(cacheConfiguration("gv_busy").getAffinity().partitions()).isEqualTo(4);
    }

    @Test
    void aStepItsOwnNodeNoLongerRunsIsTakenOverThereWhileOtherNodesCannotKnow() throws Exception {
        // Owned by node 1, with a step node 1 is not running: what a request that failed midway leaves.
        writeEntry("ended", "CREATING", nodes[1].ignite().cluster().localNode().id(), spec("ended", 4, 1));
        assertThat(catalog(0).finishInterrupted()).isZero(); // node 1 is alive: node 0 would wait for it
        assertThat(http(1, "PUT", "/v1/collections/ended", SPEC_A).statusCode()).isEqualTo(201);
        assertThat(http(0, "GET", "/v1/collections/ended", null).statusCode()).isEqualTo(200);
        assertThat(cacheConfiguration("gv_ended").getAffinity().partitions()).isEqualTo(4);
    }

    @Test
    void racingCreatesAndDeletesOfOneNameThroughTwoNodesKeepItsCacheInsideItsEntry() throws Exception {
        Map<String, LongAdder> answers = new ConcurrentSkipListMap<>();
        int threads = 4;
        // Many short rounds: each ends in a state to check. Against the old catalog (entry, then cache; no claims)
        // 3 runs of 8 rounds each failed by round 1: an entry of spec B over the 4-partition cache of spec A, or an
        // entry without a cache.
        for (int round = 0; round < 8; round++) {
            long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            List<String> unexpected = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<String>>> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int node = t % 2;
                    Random random = new Random(SEED + round * threads + t);
                    workers.add(pool.submit(() -> hammer(node, random, until, answers)));
                }
                for (Future<List<String>> worker : workers) {
                    unexpected.addAll(worker.get());
                }
            } finally {
                pool.shutdownNow();
            }
            String context = "round " + round + ", seed " + SEED + ", answers " + answers;
            assertThat(unexpected).as(context).isEmpty();
            catalog(round % 2).finishInterrupted();
            assertCacheLivesInsideItsEntry("race", context);
        }
        System.out.println("{\"test\":\"CollectionLifecycleIT.race\",\"seed\":" + SEED + ",\"answers\":\""
                + answers + "\"}");
    }

    /** Sends random creates (spec A or B) and deletes of {@code race} until {@code until}; returns wrong answers. */
    private List<String> hammer(int node, Random random, long until, Map<String, LongAdder> answers)
            throws Exception {
        List<String> unexpected = new ArrayList<>();
        do {
            int op = random.nextInt(3);
            String what = (op == 0 ? "PUT A" : op == 1 ? "PUT B" : "DELETE") + " via node " + node;
            HttpResponse<String> response = op == 2 ? http(node, "DELETE", "/v1/collections/race", null)
                    : http(node, "PUT", "/v1/collections/race", op == 0 ? SPEC_A : SPEC_B);
            int status = response.statusCode();
            answers.computeIfAbsent(what + " " + status, key -> new LongAdder()).increment();
            Set<Integer> allowed = op == 2 ? Set.of(200, 404, 503) : Set.of(200, 201, 409, 503);
            boolean wrong = !allowed.contains(status)
                    || status == 503 && response.headers().firstValue("Retry-After").isEmpty()
                    || status == 409 && response.body().contains("not a Gridvec collection"); // our own cache
            if (wrong) {
                unexpected.add(what + " -> " + status + " " + response.body());
            }
        } while (System.nanoTime() - until < 0);
        return unexpected;
    }

    /** Either no ACTIVE entry and no cache, or an ACTIVE entry whose spec the cache's configuration matches. */
    private void assertCacheLivesInsideItsEntry(String name, String context) throws Exception {
        String value = catalogValue(name);
        boolean cacheExists = ignite().cacheNames().contains("gv_" + name);
        if (value == null) {
            assertThat(cacheExists).as(context + ": no entry, but cache gv_" + name + " exists").isFalse();
            return;
        }
        JsonNode entry = JSON.readTree(value);
        assertThat(entry.path("state").asText()).as(context + ": " + value).isEqualTo("ACTIVE");
        assertThat(cacheExists).as(context + ": " + value + " has no cache").isTrue();
        CacheConfiguration<?, ?> actual = cacheConfiguration("gv_" + name);
        assertThat(actual.getAffinity().partitions()).as(context + ": " + value + " partitions")
                .isEqualTo(entry.path("spec").path("partitions").asInt());
        assertThat(actual.getBackups()).as(context + ": " + value + " backups")
                .isEqualTo(entry.path("spec").path("backups").asInt());
    }

    /** Returns the JSON of a validated spec (dimension 4, l2, default HNSW) as the catalog stores it. */
    private static String spec(String name, int partitions, int backups) {
        return "{\"name\":\"" + name + "\",\"dimension\":4,\"metric\":\"l2\",\"partitions\":" + partitions
                + ",\"backups\":" + backups + ",\"hnsw\":{\"m\":24,\"efConstruction\":100}}";
    }

    /** Creates a collection over HTTP (201) and returns its spec as JSON. */
    private String create(String name, String body) throws Exception {
        HttpResponse<String> created = http(0, "PUT", "/v1/collections/" + name, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).toString();
    }

    /** Writes the entry a node that crashed midway leaves: owned by a node id that is not in the topology. */
    private void writeEntry(String name, String state, String spec) {
        writeEntry(name, state, UUID.randomUUID(), spec);
    }

    private void writeEntry(String name, String state, UUID owner, String spec) {
        ignite().cache("gv_catalog").put(name, "{\"state\":\"" + state + "\",\"owner\":\"" + owner + "\",\"step\":\""
                + UUID.randomUUID() + "\",\"spec\":" + spec + "}");
    }

    private String catalogValue(String name) {
        return (String) ignite().cache("gv_catalog").get(name);
    }

    private CacheConfiguration<?, ?> cacheConfiguration(String cacheName) {
        IgniteCache<Object, Object> cache = ignite().cache(cacheName);
        assertThat(cache).as(cacheName).isNotNull();
        @SuppressWarnings("unchecked")
        CacheConfiguration<Object, Object> configuration = cache.getConfiguration(CacheConfiguration.class);
        return configuration;
    }

    private CollectionCatalog catalog(int node) {
        return new CollectionCatalog(nodes[node].ignite());
    }

    private Ignite ignite() {
        return nodes[0].ignite();
    }

    private HttpResponse<String> http(int node, String method, String path, String body) throws Exception {
        return TestNodes.http(nodes[node], method, path, body);
    }
}
