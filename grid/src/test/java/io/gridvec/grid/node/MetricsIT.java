package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridvec.grid.config.GridvecConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} after real traffic on a node: the series an operator needs, checked by Prometheus' promtool. */
class MetricsIT {

    @TempDir
    Path dataDir;

    @Test
    void metricsAfterTrafficHoldRequestSearchAndCollectionSeriesAndPassPromtool() throws Exception {
        GridvecConfig base = TestNodes.config(dataDir, "metrics", 1);
        // Every search answered from the index is sampled for the recall estimate: here exactly the first one.
        GridvecConfig config = base.withSearch(new GridvecConfig.Search(50, 10_000, 16, 1.0));
        try (GridNode node = GridNode.start(config)) {
            assertThat(TestNodes.http(node, "PUT", "/v1/collections/docs", "{\"dimension\": 2, \"metric\": \"l2\"}")
                    .statusCode()).isEqualTo(201);
            assertThat(TestNodes.http(node, "PUT", "/v1/collections/docs/records", "{\"records\": [{\"id\": \"a\", "
                    + "\"vector\": [1, 2]}, {\"id\": \"b\", \"vector\": [3, 4]}, {\"id\": \"c\", \"vector\": [5, 6]}]}")
                    .statusCode()).isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                assertThat(TestNodes.http(node, "POST", "/v1/collections/docs/search", "{\"vector\": [1, 2]}")
                        .statusCode()).isEqualTo(200);
            }
            assertThat(TestNodes.http(node, "POST", "/v1/collections/docs/search", "{\"vector\": [1]}").statusCode())
                    .isEqualTo(400);

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> parse(TestNodes.http(node, "GET",
                    "/metrics", null).body()).getOrDefault("gridvec_search_recall_samples{collection=\"docs\"}",
                    0.0) == 1.0);
            HttpResponse<String> response = TestNodes.http(node, "GET", "/metrics", null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .startsWith("text/plain; version=0.0.4"));
            Map<String, Double> series = parse(response.body());
            String search = "{method=\"POST\",route=\"/v1/collections/{name}/search\"";
            assertThat(series).containsEntry("gridvec_http_requests_seconds_count" + search + ",status=\"200\"}", 3.0)
                    .containsEntry("gridvec_http_requests_seconds_count" + search + ",status=\"400\"}", 1.0)
                    .containsEntry("gridvec_search_cache_hits_total", 2.0)
                    .containsEntry("gridvec_search_cache_misses_total", 1.0)
                    .containsEntry("gridvec_collection_records{collection=\"docs\"}", 3.0)
                    // The search, and the recall sample's exact search of it.
                    .containsEntry("gridvec_search_fanouts_total", 2.0)
                    .containsEntry("gridvec_search_recall_estimate{collection=\"docs\"}", 1.0)
                    .containsKey("gridvec_search_hedges_total")
                    // One node, backups 1: every partition lacks its backup.
                    .containsEntry("gridvec_collection_partitions_underreplicated{collection=\"docs\"}", 16.0)
                    .containsEntry("gridvec_collection_partition_copies_moving{collection=\"docs\"}", 0.0)
                    .containsEntry("gridvec_collection_partitions_lost{collection=\"docs\"}", 0.0)
                    .containsEntry("gridvec_shards_owned", 16.0)
                    .containsEntry("gridvec_shards_ready", 16.0)
                    .containsKey("gridvec_index_lag_records")
                    .containsEntry("gridvec_shards_building", 0.0)
                    .containsEntry("gridvec_shard_failures_total{kind=\"builds\"}", 0.0)
                    // Ignite's own metrics, bridged.
                    .containsEntry("ignite_cluster_total_server_nodes", 1.0)
                    .containsEntry("ignite_cluster_rebalanced", 1.0);
            assertThat(series.keySet()).anyMatch(name -> name.startsWith("ignite_io_datastorage_"))
                    .anyMatch(name -> name.startsWith("ignite_pme_"));
            assertThat(series.keySet()).anyMatch(name -> name.startsWith("jvm_memory_used_bytes{area=\"heap\""));
            assertThat(series.get("gridvec_http_requests_seconds_sum" + search + ",status=\"200\"}")).isPositive();
            assertThat(series.get("gridvec_search_cache_size_bytes")).isPositive();
            // A fresh collection's shards may not be ready for the first search: moved partitions are asked again.
            assertThat(series.get("gridvec_search_jobs_total"))
                    .isGreaterThan(series.get("gridvec_search_retries_total"));
            assertThat(series.get("process_uptime_seconds")).isPositive();
            String disk = "{path=\"" + dataDir.resolve("metrics").toAbsolutePath() + "\"}";
            assertThat(series.get("disk_free_bytes" + disk)).isPositive()
                    .isLessThanOrEqualTo(series.get("disk_total_bytes" + disk));
            promtoolAccepts(response.body());
            // GC pauses are registered at the first collection after the meters were bound.
            System.gc();
            Set<String> monitored = monitoredNames();
            assertThat(monitored).contains("gridvec_http_requests_seconds_bucket", "disk_free_bytes");
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String scraped = TestNodes.http(node, "GET", "/metrics", null).body();
                assertThat(monitored).as("series that docs/monitoring's alerts and dashboard query").allSatisfy(
                        name -> assertThat(scraped).as(name).containsPattern("(?m)^" + name + "[{ ]"));
            });
        }
    }

    /**
     * The series names (Gridvec's, the JVM's, the process' and the disk's) queried by the alert rules and the
     * dashboard of docs/monitoring.
     */
    private static Set<String> monitoredNames() throws IOException {
        Path monitoring = Path.of("..", "docs", "monitoring");
        String text = Files.readString(monitoring.resolve("alerts.yml"))
                + Files.readString(monitoring.resolve("gridvec-dashboard.json"));
        Set<String> names = new TreeSet<>();
        Matcher name = Pattern.compile("\\b(?:gridvec|jvm|process|disk)_[a-z_]+").matcher(text);
        while (name.find()) {
            names.add(name.group());
        }
        return names;
    }

    /** Returns each sample line's value by series name and labels. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> series = new HashMap<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return series;
    }

    /** Runs {@code promtool check metrics} (Debian package prometheus, which .ci/run installs) on the text. */
    private static void promtoolAccepts(String text) throws IOException, InterruptedException {
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("promtool is missing: install the Debian package prometheus "
                    + "(apt-get install --no-install-recommends prometheus), as .ci/run does", e);
        }
        try (var in = promtool.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool check metrics: " + output).isZero();
    }
}
