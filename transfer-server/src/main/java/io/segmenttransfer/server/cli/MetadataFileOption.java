package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.segment.SegmentMetadata;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --metadata FILE}: one segment's metadata record, for the commands that act on one segment.
 */
final class MetadataFileOption {

  @Option(
      names = "--metadata",
      required = true,
      paramLabel = "FILE",
      description = "JSON: Pinot segment metadata keys plus tableNameWithType and segmentName.")
  Path metadataFile;

  SegmentMetadata read() {
    return SegmentCommandOptions.readMetadata(metadataFile);
  }
}
