package io.segmenttransfer.pinottools;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pinot.segment.local.segment.index.converter.SegmentFormatConverterFactory;
import org.apache.pinot.segment.local.segment.index.loader.IndexLoadingConfig;
import org.apache.pinot.segment.spi.creator.SegmentVersion;
import org.apache.pinot.segment.spi.index.metadata.SegmentMetadataImpl;
import org.apache.pinot.segment.spi.loader.SegmentDirectoryLoaderContext;
import org.apache.pinot.segment.spi.loader.SegmentDirectoryLoaderRegistry;
import org.apache.pinot.segment.spi.store.SegmentDirectory;
import org.apache.pinot.segment.spi.store.SegmentDirectoryPaths;

/**
 * Opens a local segment directory the way a Pinot server does before preprocessing it: Pinot's
 * default segment directory loader, with the table config, schema, segment name and CRC in the
 * loader context.
 */
final class SegmentDirectories {

  private SegmentDirectories() {}

  /** The directory as a segment directory, or a clear error naming the path when it is not one. */
  static File existing(Path segmentDir) {
    if (!Files.isDirectory(segmentDir)) {
      throw new IllegalArgumentException("segment directory does not exist: " + segmentDir);
    }
    File dir = segmentDir.toFile();
    File metadata = SegmentDirectoryPaths.findMetadataFile(dir);
    if (metadata == null || !metadata.isFile()) {
      throw new IllegalArgumentException(
          "not a Pinot segment directory (no metadata.properties): " + segmentDir);
    }
    return dir;
  }

  static SegmentDirectory open(File indexDir, IndexLoadingConfig config) throws Exception {
    SegmentMetadataImpl metadata = new SegmentMetadataImpl(indexDir);
    SegmentDirectoryLoaderContext context =
        new SegmentDirectoryLoaderContext.Builder()
            .setTableConfig(config.getTableConfig())
            .setSchema(config.getSchema())
            .setSegmentName(metadata.getName())
            .setSegmentCrc(metadata.getCrc())
            .setSegmentDirectoryConfigs(config.getSegmentDirectoryConfigs())
            .build();
    return SegmentDirectoryLoaderRegistry.getDefaultSegmentDirectoryLoader()
        .load(indexDir.toURI(), context);
  }

  /**
   * The table's segment format version, when it asks for one the segment is not in: Pinot's loader
   * converts before preprocessing (only v1/v2 to v3 exists).
   */
  static boolean needsFormatConversion(File indexDir, IndexLoadingConfig config) throws Exception {
    SegmentVersion wanted = config.getSegmentVersion();
    return wanted != null && wanted != new SegmentMetadataImpl(indexDir).getVersion();
  }

  static void convertFormat(File indexDir, IndexLoadingConfig config) throws Exception {
    SegmentVersion onDisk = new SegmentMetadataImpl(indexDir).getVersion();
    SegmentFormatConverterFactory.getConverter(onDisk, config.getSegmentVersion())
        .convert(indexDir);
  }
}
