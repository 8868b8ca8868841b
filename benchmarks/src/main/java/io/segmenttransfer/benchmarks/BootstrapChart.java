package io.segmenttransfer.benchmarks;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws throughput against concurrency as one PNG: a panel per source, each with this project's
 * pipeline and the Pinot-style baseline, so every panel compares like with like.
 */
final class BootstrapChart {

  private static final int PANEL_WIDTH = 640;
  private static final int PANEL_HEIGHT = 420;
  private static final int TITLE_HEIGHT = 40;

  private BootstrapChart() {}

  static void write(
      List<BootstrapRun> runs, String title, Map<String, String> descriptions, Path png)
      throws IOException {
    Map<String, List<BootstrapRun>> bySource = new LinkedHashMap<>();
    for (BootstrapRun run : runs) {
      bySource.computeIfAbsent(run.source(), k -> new ArrayList<>()).add(run);
    }
    int columns = Math.min(2, Math.max(1, bySource.size()));
    int rows = Math.max(1, (bySource.size() + columns - 1) / columns);
    BufferedImage image =
        new BufferedImage(
            columns * PANEL_WIDTH, TITLE_HEIGHT + rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      g.drawString(title, 16, 27);
      int i = 0;
      for (Map.Entry<String, List<BootstrapRun>> source : bySource.entrySet()) {
        XYChart chart =
            panel(
                source.getKey(),
                descriptions.getOrDefault(source.getKey(), source.getKey()),
                source.getValue());
        g.drawImage(
            BitmapEncoder.getBufferedImage(chart),
            (i % columns) * PANEL_WIDTH,
            TITLE_HEIGHT + (i / columns) * PANEL_HEIGHT,
            null);
        i++;
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", png.toFile());
  }

  private static XYChart panel(String source, String description, List<BootstrapRun> runs) {
    XYChart chart =
        new XYChartBuilder()
            .width(PANEL_WIDTH)
            .height(PANEL_HEIGHT)
            .title(source)
            .xAxisTitle("concurrent downloads")
            .yAxisTitle("MB/s of uncompressed segment data")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    Map<String, List<BootstrapRun>> series = new LinkedHashMap<>();
    for (BootstrapRun run : runs) {
      String label =
          run.implementation().equals("pipeline")
              ? "this project (one pass)"
              : "Pinot-style (fetch, untar, move)";
      series.computeIfAbsent(label, k -> new ArrayList<>()).add(run);
    }
    for (Map.Entry<String, List<BootstrapRun>> s : series.entrySet()) {
      double[] x = s.getValue().stream().mapToDouble(BootstrapRun::concurrency).toArray();
      double[] y = s.getValue().stream().mapToDouble(BootstrapRun::megabytesPerSecond).toArray();
      chart.addSeries(s.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
    }
    chart.setTitle(source + ": " + shorten(description));
    return chart;
  }

  private static String shorten(String description) {
    int paren = description.indexOf(" (");
    return paren > 0 ? description.substring(0, paren) : description;
  }
}
