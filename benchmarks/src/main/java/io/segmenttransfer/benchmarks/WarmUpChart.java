package io.segmenttransfer.benchmarks;

import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the warm-up curve as one PNG: milliseconds of each extraction against its position in one
 * JVM, this project and Pinot's untar per codec, like {@link BootstrapChart} draws its panels.
 */
final class WarmUpChart {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;

  private WarmUpChart() {}

  /** {@code curves}: codec, then side ({@link ColdStartReport}'s sides), then ms per position. */
  static void write(Map<String, Map<String, List<Long>>> curves, String title, Path png)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("extraction in the same JVM (1 = first, in a fresh JVM)")
            .yAxisTitle("ms per segment (median over the JVMs)")
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    curves.forEach(
        (codec, sides) ->
            sides.forEach(
                (side, millis) -> {
                  double[] x = new double[millis.size()];
                  double[] y = new double[millis.size()];
                  for (int i = 0; i < x.length; i++) {
                    x[i] = i + 1;
                    y[i] = millis.get(i);
                  }
                  String label = label(side) + ", tar." + (codec.equals("gzip") ? "gz" : "zst");
                  chart.addSeries(label, x, y).setMarker(SeriesMarkers.CIRCLE);
                }));
    BufferedImage image = BitmapEncoder.getBufferedImage(chart);
    ImageIO.write(image, "png", png.toFile());
  }

  private static String label(String side) {
    return switch (side) {
      case ColdStartReport.OURS -> "this project (no JVM flags, as a daemon)";
      case ColdStartReport.OURS_AS_BOOTSTRAP -> "this project (launcher's flags, as bootstrap)";
      default -> "Pinot untar (reimplementation)";
    };
  }
}
