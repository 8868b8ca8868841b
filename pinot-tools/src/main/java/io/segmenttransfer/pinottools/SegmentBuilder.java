package io.segmenttransfer.pinottools;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.pinot.segment.local.segment.creator.impl.SegmentIndexCreationDriverImpl;
import org.apache.pinot.segment.spi.creator.SegmentGeneratorConfig;
import org.apache.pinot.spi.config.table.TableConfig;
import org.apache.pinot.spi.data.Schema;

/**
 * Builds one segment of {@link EventsTable} with Pinot's own segment creation driver, from rows
 * generated from a seed.
 */
final class SegmentBuilder {

  private SegmentBuilder() {}

  /**
   * @param outDir the parent directory: the segment is created as {@code outDir/<segment name>}
   * @param segmentName the name, or null for Pinot's default ({@code table_start_end_0})
   */
  static BuiltSegment build(Path outDir, String tableName, String segmentName, long rows, long seed)
      throws Exception {
    TableConfig tableConfig = EventsTable.tableConfig(tableName);
    Schema schema = EventsTable.schema(tableName);
    SegmentGeneratorConfig config = new SegmentGeneratorConfig(tableConfig, schema);
    config.setOutDir(outDir.toString());
    config.setTableName(tableName);
    config.setSequenceId(0);
    if (segmentName != null) {
      config.setSegmentName(segmentName);
    }
    long started = System.nanoTime();
    SegmentIndexCreationDriverImpl driver = new SegmentIndexCreationDriverImpl();
    try (GeneratedEvents events = new GeneratedEvents(seed, rows)) {
      driver.init(config, events);
      driver.build();
    }
    File dir = driver.getOutputDirectory();
    return new BuiltSegment(
        driver.getSegmentName(),
        dir.toPath(),
        rows,
        sizeOf(dir.toPath()),
        System.nanoTime() - started);
  }

  static long sizeOf(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(SegmentBuilder::size).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A segment directory as built, with its size in bytes and the build time. */
  record BuiltSegment(String name, Path dir, long rows, long bytes, long nanos) {}
}
