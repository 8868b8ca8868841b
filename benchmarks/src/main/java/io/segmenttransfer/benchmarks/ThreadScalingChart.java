package io.segmenttransfer.benchmarks;

import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws how the parallel layouts scale with threads as one bar chart: for reading (extracting our
 * parallel archive) and building (the archive from the segment directory), per codec, MB/s of the
 * segment's bytes for our serial path, 1 and 2 threads, and Pinot's one-thread code, so the shape
 * on a machine with more cores can be read off the step from 1 to 2.
 */
final class ThreadScalingChart {

  private static final int WIDTH = 1000;
  private static final int HEIGHT = 560;

  /** Series label and the report's cell for reading and for building, per series. */
  private record Series(String label, String read, String build) {}

  private static final List<Series> SERIES =
      List.of(
          new Series(
              "ours, single stream (serial)", "pipelineFromFile@serial", "compressOurs@serial"),
          new Series("ours, parallel layout, 1 thread", "pipelineFromFile@1", "compressOurs@1"),
          new Series("ours, parallel layout, 2 threads", "pipelineFromFile@2", "compressOurs@2"),
          new Series("Pinot (one thread)", "pinotUntarFromFile", "compressPinot"));

  private ThreadScalingChart() {}

  /**
   * {@code cells}: per row key ({@code gzip-real}, {@code zstd-real}), the report's throughput per
   * cell ({@code pipelineFromFile@2}, {@code compressPinot}, ...); the mean is drawn.
   */
  static void write(Map<String, Map<String, UntarReport.Throughput>> cells, String title, Path png)
      throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .yAxisTitle("MB/s of segment bytes (mean of the iterations)")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    chart.getStyler().setYAxisMin(0.0);
    List<String> categories = new ArrayList<>();
    for (String row : cells.keySet()) {
      categories.add("read " + row);
      categories.add("build " + row);
    }
    for (Series series : SERIES) {
      List<Double> values = new ArrayList<>();
      for (Map<String, UntarReport.Throughput> row : cells.values()) {
        values.add(mean(row.get(series.read())));
        values.add(mean(row.get(series.build())));
      }
      chart.addSeries(series.label(), categories, values);
    }
    ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png.toFile());
  }

  /** Zero where a cell was not measured (the serial build runs only when asked for). */
  private static double mean(UntarReport.Throughput throughput) {
    return throughput == null ? 0.0 : throughput.mean();
  }
}
