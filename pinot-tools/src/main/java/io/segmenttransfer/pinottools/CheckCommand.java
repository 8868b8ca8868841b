package io.segmenttransfer.pinottools;

import java.io.File;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pinot.spi.utils.JsonUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code check}: loads the segment with Pinot's own loader (without preprocessing it) and prints
 * per column the indexes present, and whether a Pinot server would still preprocess it.
 */
@Command(
    name = "check",
    description = "Print each column's indexes as Pinot loads them, and needsProcessing.")
final class CheckCommand implements Callable<Integer> {

  @Mixin TableOptions options;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    File indexDir = SegmentDirectories.existing(options.segmentDir);
    TableInputs inputs = TableInputs.read(options.tableConfig, options.schema);
    SegmentIndexReport report;
    try {
      report = SegmentIndexReport.of(indexDir, inputs.indexLoadingConfig());
    } catch (Exception e) {
      throw new SegmentFailure(indexDir, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(JsonUtils.objectToString(report));
    } else {
      out.printf(
          "segment %s: %d docs, needsProcessing %s%n",
          report.segmentName(), report.totalDocs(), report.needsProcessing());
      for (Map.Entry<String, List<String>> column : report.columns().entrySet()) {
        out.printf("  %s: %s%n", column.getKey(), String.join(", ", column.getValue()));
      }
    }
    out.flush();
    return PinotTools.EXIT_OK;
  }
}
