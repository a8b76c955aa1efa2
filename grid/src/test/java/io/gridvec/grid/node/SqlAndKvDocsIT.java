package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gridvec.grid.config.GridvecConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the walk-through of docs/sql-and-kv.md as written (only the ports are this test's): REST writes, sqlline over
 * the JDBC thin driver (INSERT, UPDATE, queries with WHERE, ORDER BY and GROUP BY), the Node.js thin client of npm
 * {@code apache-ignite-client} (installed by {@code npm ci} from the example's pinned lock file) writing and reading
 * records and running SQL, the Java example (JDBC and the Java thin client), then search. The outputs the page shows
 * must be what the commands print.
 */
class SqlAndKvDocsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOC = ROOT.resolve("docs/sql-and-kv.md");
    private static final Pattern BASH = Pattern.compile("(?s)```bash\\n(.*?)```");
    private static final Pattern TEXT = Pattern.compile("(?s)```text\\n(.*?)```");
    private static final Pattern NODE_OUTPUT = Pattern.compile("It prints `(\\{.*?})`");

    @TempDir
    Path dataDir;

    @Test
    void theWalkThroughRunsAsWrittenAndPrintsWhatThePageShows() throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "Node.js and npm are not installed (.ci/run installs the Debian "
                + "packages nodejs and npm); the walk-through runs the Node.js thin client");
        String page = Files.readString(DOC);
        String walkThrough = page.substring(page.indexOf("## A walk-through"), page.indexOf("## Security"));
        GridvecConfig config = TestNodes.config(dataDir, "sql-docs", 1);
        try (GridNode node = GridNode.start(config)) {
            StringBuilder script = new StringBuilder();
            for (Matcher block = BASH.matcher(walkThrough); block.find(); ) {
                script.append(block.group(1)).append('\n');
            }
            String commands = script.toString()
                    .replace("127.0.0.1:8080", "127.0.0.1:" + config.rest().port())
                    .replace("127.0.0.1:10800", "127.0.0.1:" + config.cluster().clientPort());
            String output = run(commands);

            List<String> lines = output.lines().toList();
            int outputs = 0;
            for (Matcher shown = TEXT.matcher(walkThrough); shown.find(); outputs++) {
                assertThat(lines).as(output).containsSubsequence(shown.group(1).lines().toList());
            }
            assertThat(outputs).as("the outputs the page shows: sqlline's and the Java example's").isEqualTo(2);
            Matcher nodeOutput = NODE_OUTPUT.matcher(walkThrough);
            assertThat(nodeOutput.find()).as("the page shows the Node.js example's output").isTrue();
            assertThat(lines).as(output).contains(nodeOutput.group(1));

            // The page's search: the Node.js record, the SQL one, the REST one; b filtered out.
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode hits = JSON.readTree(TestNodes.http(node, "POST", "/v1/collections/docs/search",
                        "{\"vector\": [3, 3], \"k\": 3, \"cache\": false, \"filter\": {\"must\": [{\"field\": "
                                + "\"price\", \"range\": {\"lt\": 10}}]}}").body()).path("hits");
                List<String> ids = new ArrayList<>();
                hits.forEach(hit -> ids.add(hit.path("id").asText()));
                assertThat(ids).containsExactly("n1", "s1", "a");
            });
        }
    }

    private String run(String commands) throws Exception {
        Path log = dataDir.resolve("walk-through.log");
        Process bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", commands).directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!bash.waitFor(5, TimeUnit.MINUTES)) {
            bash.destroyForcibly();
            throw new AssertionError("the walk-through ran over 5 minutes:\n" + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(bash.exitValue()).as("the walk-through's exit status; its output:\n" + output).isZero();
        return output;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
