package io.gridvec.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bench filter} on a small shard: it prints its figures as JSON and the two ways answer alike. */
class FilterBenchCommandTest {

    @Test
    void printsBothLatenciesTheirRatioAndSameAnswers() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = new CommandLine(new FilterBenchCommand()).execute("--n", "3000", "--dim", "8", "--categories",
                    "30", "--queries", "40", "--warmup", "5");
        } finally {
            System.setOut(original);
        }
        assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(report.path("sameAnswers").asText()).isEqualTo("40/40");
        assertThat(report.path("fullPass").path("meanMs").asDouble()).isPositive();
        assertThat(report.path("fieldIndex").path("meanMs").asDouble()).isPositive();
        assertThat(report.path("ratioMean").asDouble()).isPositive();
    }

    @Test
    void refusesANonPositiveSize() {
        assertThat(new CommandLine(new FilterBenchCommand()).execute("--n", "0")).isEqualTo(BenchCommand.USAGE_ERROR);
    }
}
