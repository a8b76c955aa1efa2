package io.gridvec.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a load test's report directory: {@code result.json} (the JSON the run printed), {@code steps.csv},
 * {@code timeline.csv}, {@code memory.csv} when memory was sampled, the PNG charts, and {@code index.html} that shows
 * the table and the charts together. Stateless.
 */
final class Report {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What one run produced. */
    record Run(String title, Map<String, Object> result, List<Step> steps, List<Double> stepStarts,
            List<Plots.Event> events, List<MemorySampler.Sample> memory) {}

    private Report() {}

    /**
     * Writes every file into {@code dir} (created when missing; files of an earlier run there are replaced) and returns
     * their paths.
     *
     * @throws IOException when a file cannot be written
     */
    static List<Path> write(Path dir, Run run) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        files.add(Files.writeString(dir.resolve("result.json"), JSON.writeValueAsString(run.result())));
        files.add(Files.writeString(dir.resolve("steps.csv"), stepsCsv(run.steps())));
        files.add(Files.writeString(dir.resolve("timeline.csv"), timelineCsv(run)));
        List<Step> searches = run.steps().stream().filter(step -> step.recall() != null).toList();
        List<String> images = new ArrayList<>();
        if (!searches.isEmpty()) {
            Path file = dir.resolve("latency-vs-throughput.png");
            Plots.latencyAgainstThroughput(searches, run.title() + ": latency against throughput", file);
            files.add(file);
            images.add(file.getFileName().toString());
        }
        Path overTime = dir.resolve("latency-over-time.png");
        Plots.latencyOverTime(run.steps(), run.stepStarts(), run.events(), run.title() + ": latency over time",
                overTime);
        files.add(overTime);
        images.add(overTime.getFileName().toString());
        if (!run.memory().isEmpty()) {
            files.add(Files.writeString(dir.resolve("memory.csv"), memoryCsv(run.memory())));
            Path memory = dir.resolve("memory.png");
            Plots.memory(run.memory(), run.title() + ": memory per node", memory);
            files.add(memory);
            images.add(memory.getFileName().toString());
        }
        files.add(Files.writeString(dir.resolve("index.html"), html(run, images)));
        return files;
    }

    private static String stepsCsv(List<Step> steps) {
        StringBuilder csv = new StringBuilder(
                "scenario,rate,clients,achievedRate,p50,p95,p99,p999,max,errors,recall\n");
        for (Step s : steps) {
            csv.append(String.join(",", s.scenario(), text(s.rate()), text(s.clients()), text(s.achievedRate()),
                    text(s.p50()), text(s.p95()), text(s.p99()), text(s.p999()), text(s.max()), text(s.errors()),
                    text(s.recall()))).append('\n');
        }
        return csv.toString();
    }

    private static String timelineCsv(Run run) {
        StringBuilder csv = new StringBuilder("step,scenario,seconds,rate,p50,p99,max,errors\n");
        for (int i = 0; i < run.steps().size(); i++) {
            Step step = run.steps().get(i);
            for (StepRecorder.Point p : step.timeline()) {
                csv.append(i).append(',').append(step.scenario()).append(',')
                        .append(Step.round(run.stepStarts().get(i) + p.atSeconds())).append(',')
                        .append(Step.round(p.rate())).append(',').append(p.p50()).append(',').append(p.p99())
                        .append(',').append(p.max()).append(',').append(p.errors()).append('\n');
            }
        }
        return csv.toString();
    }

    private static String memoryCsv(List<MemorySampler.Sample> samples) {
        StringBuilder csv = new StringBuilder("seconds,node,heapUsedMb,rssMb\n");
        for (MemorySampler.Sample s : samples) {
            csv.append(Step.round(s.atSeconds())).append(',').append(s.node()).append(',')
                    .append(Step.round(s.heapUsedMb())).append(',').append(Step.round(s.rssMb())).append('\n');
        }
        return csv.toString();
    }

    private static String html(Run run, List<String> images) throws IOException {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escape(run.title())).append("</title><style>body{font-family:sans-serif;margin:2em}"
                        + "td,th{padding:2px 8px;text-align:right}th{background:#eee}</style></head><body>\n<h1>")
                .append(escape(run.title())).append("</h1>\n<table>\n<tr>");
        for (String column : List.of("scenario", "rate", "clients", "achieved/s", "p50 ms", "p95 ms", "p99 ms",
                "p99.9 ms", "max ms", "errors", "recall")) {
            html.append("<th>").append(column).append("</th>");
        }
        html.append("</tr>\n");
        for (Step s : run.steps()) {
            html.append("<tr>");
            for (Object value : new Object[] {s.scenario(), s.rate(), s.clients(), s.achievedRate(), s.p50(),
                    s.p95(), s.p99(), s.p999(), s.max(), s.errors(), s.recall()}) {
                html.append("<td>").append(escape(text(value))).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
        for (String image : images) {
            html.append("<p><img src=\"").append(image).append("\" alt=\"").append(image).append("\"></p>\n");
        }
        html.append("<h2>result.json</h2>\n<pre>").append(escape(JSON.writeValueAsString(run.result())))
                .append("</pre>\n</body></html>\n");
        return html.toString();
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
