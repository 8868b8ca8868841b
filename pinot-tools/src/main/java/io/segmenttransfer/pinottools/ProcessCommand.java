package io.segmenttransfer.pinottools;

import java.io.File;
import java.util.concurrent.Callable;
import org.apache.pinot.segment.local.segment.index.loader.IndexLoadingConfig;
import org.apache.pinot.segment.local.segment.index.loader.SegmentPreProcessor;
import org.apache.pinot.segment.spi.store.SegmentDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code process}: applies a table config and schema to a segment in place, with the code a Pinot
 * server runs when it reloads a segment: format conversion if the table asks for another version,
 * then {@link SegmentPreProcessor} (adds and removes indexes, adds new schema columns with their
 * defaults, updates the metadata). {@code creation.meta} is left as it was: the caller recomputes
 * the CRC of the result.
 */
@Command(
    name = "process",
    description = "Apply the table config and schema to the segment in place (Pinot's reload).")
final class ProcessCommand implements Callable<Integer> {

  @Mixin TableOptions options;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    File indexDir = SegmentDirectories.existing(options.segmentDir);
    TableInputs inputs = TableInputs.read(options.tableConfig, options.schema);
    IndexLoadingConfig config = inputs.indexLoadingConfig();
    long started = System.nanoTime();
    try {
      if (SegmentDirectories.needsFormatConversion(indexDir, config)) {
        SegmentDirectories.convertFormat(indexDir, config);
      }
      try (SegmentDirectory directory = SegmentDirectories.open(indexDir, config);
          SegmentPreProcessor preProcessor = new SegmentPreProcessor(directory, config)) {
        preProcessor.process();
      }
    } catch (Exception e) {
      // Pinot's messages rarely name the segment; the failure line must.
      throw new SegmentFailure(indexDir, e);
    }
    spec.commandLine()
        .getOut()
        .printf("processed %s in %d ms%n", indexDir, (System.nanoTime() - started) / 1_000_000);
    return PinotTools.EXIT_OK;
  }
}
