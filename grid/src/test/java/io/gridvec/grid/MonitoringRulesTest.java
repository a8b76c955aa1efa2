package io.gridvec.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of docs/monitoring: Prometheus' promtool (Debian package prometheus) accepts the alert rules, passes
 * their unit tests and rejects broken copies of them; every alert has a case where it fires and one where it does
 * not; every panel of the Grafana dashboard has queries, and each parses as PromQL.
 */
class MonitoringRulesTest {

    /** docs/monitoring, from the module's directory, where Maven runs its tests. */
    private static final Path MONITORING = Path.of(System.getProperty("user.dir"), "..", "docs", "monitoring")
            .toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void promtoolAcceptsTheAlertRules() throws IOException, InterruptedException {
        Result result = promtool(MONITORING, "check", "rules", "alerts.yml");
        assertThat(result.exitCode()).as("promtool check rules alerts.yml:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void alertRulesPassTheirPromtoolUnitTests() throws IOException, InterruptedException {
        Result result = promtool(MONITORING, "test", "rules", "alerts-test.yml");
        assertThat(result.exitCode()).as("promtool test rules alerts-test.yml:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void promtoolRejectsRulesWithAnExpressionThatDoesNotParse() throws IOException, InterruptedException {
        String rules = Files.readString(MONITORING.resolve("alerts.yml"));
        String broken = rules.replace("expr: up{job=\"gridvec\"} == 0", "expr: up{job=\"gridvec\" == 0");
        assertThat(broken).isNotEqualTo(rules);
        Files.writeString(dir.resolve("alerts.yml"), broken);

        Result result = promtool(dir, "check", "rules", "alerts.yml");
        assertThat(result.exitCode()).as("promtool check rules on a broken copy:%n%s", result.output()).isNotZero();
        assertThat(result.output()).contains("GridvecNodeDown", "parse error");
    }

    @Test
    void unitTestsFailWhenAThresholdChanges() throws IOException, InterruptedException {
        String rules = Files.readString(MONITORING.resolve("alerts.yml"));
        String lowered = rules.replace("gridvec_index_lag_records{job=\"gridvec\"} > 50000",
                "gridvec_index_lag_records{job=\"gridvec\"} > 30000");
        assertThat(lowered).isNotEqualTo(rules);
        Files.writeString(dir.resolve("alerts.yml"), lowered);
        Files.copy(MONITORING.resolve("alerts-test.yml"), dir.resolve("alerts-test.yml"));

        Result result = promtool(dir, "test", "rules", "alerts-test.yml");
        assertThat(result.exitCode()).as("promtool test rules with a lowered threshold:%n%s", result.output())
                .isNotZero();
        // The 40,000-record node now fires too, which no case expects.
        assertThat(result.output()).contains("GridvecIndexLagHigh", "127.0.0.1:8081");
    }

    @Test
    void everyAlertHasASeverityARunbookAndACaseWhereItFiresAndOneWhereItDoesNot() throws IOException {
        JsonNode rules = YAML.readTree(MONITORING.resolve("alerts.yml").toFile());
        Set<String> alerts = new HashSet<>();
        for (JsonNode rule : rules.at("/groups/0/rules")) {
            String name = rule.path("alert").asText();
            alerts.add(name);
            assertThat(rule.path("for").asText()).as("%s: for", name).isNotBlank();
            assertThat(rule.at("/labels/severity").asText()).as("%s: severity", name).isIn("critical", "warning");
            assertThat(rule.at("/annotations/summary").asText()).as("%s: summary", name).isNotBlank();
            assertThat(rule.at("/annotations/description").asText()).as("%s: description", name)
                    .contains("\"Runbook: ").contains("docs/operations.md");
        }
        assertThat(rules.at("/groups/0/name").asText()).isEqualTo("gridvec");

        Set<String> fires = new HashSet<>();
        Set<String> quiet = new HashSet<>();
        for (JsonNode test : YAML.readTree(MONITORING.resolve("alerts-test.yml").toFile()).path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? quiet : fires).add(check.path("alertname").asText());
            }
        }
        assertThat(fires).as("alerts with a case where they fire").containsExactlyInAnyOrderElementsOf(alerts);
        assertThat(quiet).as("alerts with a case where they do not fire").containsExactlyInAnyOrderElementsOf(alerts);
    }

    @Test
    void everyDashboardPanelHasQueriesThatParseAsPromql() throws IOException, InterruptedException {
        JsonNode dashboard = JSON.readTree(MONITORING.resolve("gridvec-dashboard.json").toFile());
        assertThat(dashboard.path("panels")).isNotEmpty();
        assertThat(dashboard.at("/templating/list").findValuesAsText("name")).contains("datasource", "instance");

        // Each query becomes a recording rule, so promtool parses it; Grafana's variables become what they stand for.
        ArrayNode recordings = JSON.createArrayNode();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("%s: id %s is unique", title, panel.path("id")).isTrue();
            assertThat(panel.path("targets")).as("%s: targets", title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as("%s: target %s", title, target.path("refId").asText()).isNotBlank();
                String record = "dashboard:panel" + panel.path("id").asInt() + "_" + target.path("refId").asText();
                recordings.addObject().put("record", record)
                        .put("expr", expr.replace("$__rate_interval", "5m").replace("$instance", ".*"));
            }
        }
        ObjectNode file = JSON.createObjectNode();
        file.putArray("groups").addObject().put("name", "dashboard").set("rules", recordings);
        JSON.writeValue(dir.resolve("dashboard-queries.yml").toFile(), file);

        Result result = promtool(dir, "check", "rules", "dashboard-queries.yml");
        assertThat(result.exitCode()).as("promtool check rules on the dashboard's queries:%n%s", result.output())
                .isZero();
    }

    /** Runs promtool with {@code args} in {@code workDir}, waiting at most a minute, and returns what it printed. */
    private Result promtool(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "promtool", ".out");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            return fail("promtool not found; .ci/run installs the Debian package prometheus", e);
        }
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("promtool " + String.join(" ", args) + " did not finish within 60 s: "
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    /** What a promtool run ended with: its exit code and its standard output and error, interleaved. */
    private record Result(int exitCode, String output) {}
}
