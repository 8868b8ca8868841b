package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Apache Pinot's own segment preprocessing, as a Pinot server runs it on reload, through {@code
 * pinot-tools.jar} in a child JVM: the same program and commands the controller's {@code pinot}
 * sync processor runs ({@code process}: format conversion if needed, then {@code
 * SegmentPreProcessor}, in place), and {@code check} (Pinot's loader: would a server still
 * preprocess this segment?).
 */
final class PinotPreprocessing {

  private static final Pattern PROCESSED = Pattern.compile("processed .* in (\\d+) ms");

  private final Path jar;

  PinotPreprocessing(Path jar) {
    this.jar = jar;
  }

  /**
   * One preprocessing.
   *
   * @param wallMs the child JVM from start to exit (what the sync's {@code pinot} processor pays)
   * @param programMs the preprocessing alone, as the program times it (what a Pinot server, whose
   *     JVM is already running, pays)
   */
  record Timing(long wallMs, long programMs) {}

  /** Preprocesses {@code segmentDir} in place under the config and schema. Blocking. */
  Timing process(Path segmentDir, Path tableConfig, Path schema) throws IOException {
    JavaChild.Output output =
        JavaChild.output(jar, arguments("process", segmentDir, tableConfig, schema));
    Matcher matcher = PROCESSED.matcher(output.text());
    if (!matcher.find()) {
      throw new IOException("pinot-tools process printed no time:\n" + output.text());
    }
    return new Timing(output.wallMillis(), Long.parseLong(matcher.group(1)));
  }

  /**
   * What Pinot's loader sees in a segment ({@code check --json}).
   *
   * @param report per column the ids of the indexes present ({@code columns}), and {@code
   *     needsProcessing}
   */
  record Check(JsonNode report) {

    /** Whether a Pinot server would preprocess the segment on load. */
    boolean needsProcessing() {
      return report.path("needsProcessing").asBoolean(true);
    }

    /** Whether {@code column} has the index {@code indexId} ({@code inverted_index}, ...). */
    boolean hasIndex(String column, String indexId) {
      for (JsonNode id : report.path("columns").path(column)) {
        if (id.asText().equals(indexId)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Loads {@code segmentDir} with Pinot's loader, without changing it. Blocking. */
  Check check(Path segmentDir, Path tableConfig, Path schema) throws IOException {
    List<String> args = new ArrayList<>(arguments("check", segmentDir, tableConfig, schema));
    args.add("--json");
    return new Check(JavaChild.run(jar, args).json());
  }

  private static List<String> arguments(
      String command, Path segmentDir, Path tableConfig, Path schema) {
    return List.of(
        command,
        "--segment-dir",
        segmentDir.toString(),
        "--table-config",
        tableConfig.toString(),
        "--schema",
        schema.toString());
  }
}
