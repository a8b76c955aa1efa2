package io.gridvec.loadtest.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws a load test's charts as PNG files with JFreeChart (headless Java2D). Stateless. */
final class Plots {

    /** Something that happened at a moment of the run, drawn as a vertical line (a kill). */
    record Event(double atSeconds, String label) {}

    private static final Color BLUE = new Color(0x1f77b4);
    private static final Color ORANGE = new Color(0xff7f0e);
    private static final Color GREEN = new Color(0x2ca02c);
    private static final Color RED = new Color(0xd62728);
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;

    private Plots() {}

    /**
     * Latency percentiles against achieved throughput: open-loop steps as lines (p50, p95, p99), closed-loop steps as
     * separate points, since their latency hides queueing.
     *
     * @throws IOException when the file cannot be written
     */
    static void latencyAgainstThroughput(List<Step> steps, String title, Path file) throws IOException {
        XYSeries p50 = new XYSeries("p50", false);
        XYSeries p95 = new XYSeries("p95", false);
        XYSeries p99 = new XYSeries("p99", false);
        XYSeries closedP50 = new XYSeries("p50, closed loop", false);
        XYSeries closedP99 = new XYSeries("p99, closed loop", false);
        for (Step step : steps) {
            if (step.rate() != null) {
                p50.add(step.achievedRate(), Math.max(0.01, step.p50()));
                p95.add(step.achievedRate(), Math.max(0.01, step.p95()));
                p99.add(step.achievedRate(), Math.max(0.01, step.p99()));
            } else {
                closedP50.add(step.achievedRate(), Math.max(0.01, step.p50()));
                closedP99.add(step.achievedRate(), Math.max(0.01, step.p99()));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries series : List.of(p50, p95, p99, closedP50, closedP99)) {
            data.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = renderer(true, BLUE, ORANGE, RED, BLUE, RED);
        renderer.setSeriesLinesVisible(3, false);
        renderer.setSeriesLinesVisible(4, false);
        XYPlot plot = new XYPlot(data, new NumberAxis("achieved throughput (searches/s)"), logAxis("latency (ms)"),
                renderer);
        save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), file);
    }

    /**
     * Latency (p50, p99, max; log scale) and throughput and errors per second over the run, steps laid end to end,
     * with {@code events} marked.
     *
     * @throws IOException when the file cannot be written
     */
    static void latencyOverTime(List<Step> steps, List<Double> stepStarts, List<Event> events, String title,
            Path file) throws IOException {
        XYSeries p50 = new XYSeries("p50", false);
        XYSeries p99 = new XYSeries("p99", false);
        XYSeries max = new XYSeries("max", false);
        XYSeries rate = new XYSeries("answers/s", false);
        XYSeries errors = new XYSeries("errors/s", false);
        for (int s = 0; s < steps.size(); s++) {
            double offset = stepStarts.get(s);
            if (s > 0) {
                for (XYSeries series : List.of(p50, p99, max, rate, errors)) {
                    series.add(offset, null); // no line across the gap between steps
                }
            }
            for (StepRecorder.Point point : steps.get(s).timeline()) {
                double x = offset + point.atSeconds();
                if (point.rate() > 0) {
                    p50.add(x, Math.max(0.01, point.p50()));
                    p99.add(x, Math.max(0.01, point.p99()));
                    max.add(x, Math.max(0.01, point.max()));
                }
                rate.add(x, point.rate());
                errors.add(x, point.errors());
            }
        }
        XYSeriesCollection latency = new XYSeriesCollection();
        latency.addSeries(p50);
        latency.addSeries(p99);
        latency.addSeries(max);
        XYSeriesCollection counts = new XYSeriesCollection();
        counts.addSeries(rate);
        counts.addSeries(errors);
        XYPlot top = new XYPlot(latency, null, logAxis("latency (ms)"), renderer(false, BLUE, ORANGE, Color.GRAY));
        XYPlot bottom = new XYPlot(counts, null, new NumberAxis("per second"), renderer(false, GREEN, RED));
        for (int s = 0; s < steps.size(); s++) {
            Step step = steps.get(s);
            ValueMarker start = new ValueMarker(stepStarts.get(s), Color.LIGHT_GRAY, new BasicStroke(1f));
            start.setLabel(step.scenario() + (step.rate() != null ? " " + Math.round(step.rate()) + "/s"
                    : step.clients() != null ? " " + step.clients() + " clients" : ""));
            start.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
            start.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            top.addDomainMarker(start);
        }
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("seconds since the run started"));
        plot.add(top, 2);
        plot.add(bottom, 1);
        for (Event event : events) {
            for (XYPlot sub : List.of(top, bottom)) {
                ValueMarker marker = new ValueMarker(event.atSeconds(), Color.RED, new BasicStroke(2f));
                if (sub == top) {
                    marker.setLabel(event.label());
                    marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
                    marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
                }
                sub.addDomainMarker(marker);
            }
        }
        save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), file);
    }

    /**
     * Every node's resident set and used heap over the run.
     *
     * @throws IOException when the file cannot be written
     */
    static void memory(List<MemorySampler.Sample> samples, String title, Path file) throws IOException {
        Map<String, XYSeries> series = new TreeMap<>();
        for (MemorySampler.Sample sample : samples) {
            series.computeIfAbsent(sample.node() + " RSS", name -> new XYSeries(name, false))
                    .add(sample.atSeconds(), sample.rssMb());
            series.computeIfAbsent(sample.node() + " heap used", name -> new XYSeries(name, false))
                    .add(sample.atSeconds(), sample.heapUsedMb());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        // Sorted by name, each node's "RSS" series comes before its "heap used": one colour per node, heap dashed.
        Color[] palette = {BLUE, ORANGE, GREEN, RED, Color.MAGENTA, Color.DARK_GRAY, Color.CYAN, Color.PINK};
        XYLineAndShapeRenderer renderer = renderer(false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, palette[(i / 2) % palette.length]);
            if (i % 2 == 1) {
                renderer.setSeriesStroke(i, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
            }
        }
        XYPlot plot = new XYPlot(data, new NumberAxis("seconds since sampling started"), new NumberAxis("MiB"),
                renderer);
        save(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true), file);
    }

    /** A log-scale axis labelled with plain numbers (0.1, 1, 10, 100), not powers of ten. */
    private static LogarithmicAxis logAxis(String label) {
        LogarithmicAxis axis = new LogarithmicAxis(label);
        axis.setAllowNegativesFlag(false);
        axis.setStrictValuesFlag(false);
        axis.setLog10TickLabelsFlag(false);
        axis.setExpTickLabelsFlag(false);
        return axis;
    }

    private static XYLineAndShapeRenderer renderer(boolean shapes, Color... colors) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        for (int i = 0; i < 8; i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
            if (i < colors.length) {
                renderer.setSeriesPaint(i, colors[i]);
            }
        }
        return renderer;
    }

    private static void save(JFreeChart chart, Path file) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }
}
