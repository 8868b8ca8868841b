package io.segmenttransfer.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws throughput against concurrency, one line per source and implementation, as a PNG. */
final class BootstrapChart {

  private BootstrapChart() {}

  static void write(List<BootstrapRun> runs, String title, Path png) throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
        .xAxisTitle("concurrent downloads").yAxisTitle("MB/s of uncompressed segment data").build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
    chart.getStyler().setYAxisMin(0.0);
    Map<String, List<BootstrapRun>> series = new LinkedHashMap<>();
    for (BootstrapRun run : runs) {
      series.computeIfAbsent(run.implementation() + " (" + run.source() + ")", k -> new java.util.ArrayList<>()).add(run);
    }
    for (Map.Entry<String, List<BootstrapRun>> s : series.entrySet()) {
      double[] x = s.getValue().stream().mapToDouble(BootstrapRun::concurrency).toArray();
      double[] y = s.getValue().stream().mapToDouble(BootstrapRun::megabytesPerSecond).toArray();
      chart.addSeries(s.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    String name = png.getFileName().toString();
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, png.resolveSibling(base).toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
