package io.gridvec.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    /** A step whose latencies are {@code millis}, recorded as if each request was due that long ago. */
    private static Step step(String scenario, Double rate, Double recall, long... millis) {
        StepRecorder recorder = new StepRecorder();
        for (long ms : millis) {
            recorder.record("search", System.nanoTime() - ms * 1_000_000, StepRecorder.Outcome.OK, null);
        }
        recorder.record("search", System.nanoTime(), StepRecorder.Outcome.ERROR, "503 {}");
        recorder.tick();
        return Step.of(scenario, rate, rate == null ? 8 : null, recorder, Step.okRate(recorder), recall, Map.of());
    }

    @Test
    void aRunWritesItsJsonTablesAndChartsAndEveryFileHasContent(@TempDir Path dir) throws Exception {
        Step slow = step("search", 100.0, 0.97, 1, 2, 3, 40);
        Step fast = step("search", 250.0, 0.96, 2, 3, 5, 80);
        Step closed = step("search", null, 0.95, 4, 5, 6);
        Step ingest = step("ingest", null, null, 500, 700);
        List<MemorySampler.Sample> memory = List.of(new MemorySampler.Sample(0, "127.0.0.1:1", 100, 300),
                new MemorySampler.Sample(5, "127.0.0.1:1", 120, 310));
        Map<String, Object> result = Map.of("scenario", "search", "steps",
                List.of(ingest.toMap(), slow.toMap(), fast.toMap(), closed.toMap()));
        Report.Run run = new Report.Run("test run", result, List.of(ingest, slow, fast, closed),
                List.of(0.0, 10.0, 40.0, 70.0),
                List.of(new Plots.Event(50, "kill -9 node-3")), memory);

        List<Path> files = Report.write(dir.resolve("report"), run);

        assertThat(files).extracting(path -> path.getFileName().toString()).containsExactlyInAnyOrder(
                "result.json", "steps.csv", "timeline.csv", "latency-vs-throughput.png", "latency-over-time.png",
                "memory.csv", "memory.png", "index.html");
        for (Path file : files) {
            assertThat(Files.size(file)).as(file.toString()).isGreaterThan(40);
            if (file.toString().endsWith(".png")) {
                assertThat(Arrays.copyOf(Files.readAllBytes(file), 4)).as(file.toString()).isEqualTo(PNG);
            }
        }
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report/result.json").toFile());
        assertThat(json.path("steps")).hasSize(4);
        assertThat(json.path("steps").get(1).path("p99").asDouble()).isBetween(39.0, 41.0);
        assertThat(json.path("steps").get(1).path("errors").asLong()).isEqualTo(1);
        List<String> csv = Files.readAllLines(dir.resolve("report/steps.csv"));
        assertThat(csv).hasSize(5);
        assertThat(csv.get(2)).startsWith("search,100.0,,");
        assertThat(csv.get(4)).startsWith("search,,8,");
        assertThat(Files.readString(dir.resolve("report/index.html")))
                .contains("<img src=\"latency-over-time.png\"", "<td>0.97</td>");
    }

    @Test
    void aRunWithoutSearchesOrMemoryDrawsOnlyTheTimeline(@TempDir Path dir) throws Exception {
        Step ingest = step("ingest", null, null, 500, 700);
        Report.Run run = new Report.Run("ingest only", Map.of("steps", List.of(ingest.toMap())), List.of(ingest),
                List.of(0.0), List.of(), List.of());

        List<Path> files = Report.write(dir, run);

        assertThat(files).extracting(path -> path.getFileName().toString()).containsExactlyInAnyOrder(
                "result.json", "steps.csv", "timeline.csv", "latency-over-time.png", "index.html");
    }
}
