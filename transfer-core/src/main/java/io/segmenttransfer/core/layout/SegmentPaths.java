package io.segmenttransfer.core.layout;

import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;

/**
 * The on-disk layout of a server's data directory, as Pinot has it:
 *
 * <pre>
 * dataDir/tableNameWithType/segmentName                  the segment in service
 * dataDir/tableNameWithType/segmentName.segment.bak      the previous copy while a replace or reload runs
 * dataDir/tableNameWithType/segmentName.segment.tmp      a previous copy being deleted after success
 * dataDir/tableNameWithType/tmp/segmentName-uuid/        staging for downloads
 * </pre>
 */
public record SegmentPaths(Path dataDir, SegmentId segment) {

  public static final String BACKUP_SUFFIX = ".segment.bak";
  public static final String TEMP_SUFFIX = ".segment.tmp";
  public static final String STAGING_DIR = "tmp";

  public Path tableDir() {
    return dataDir.resolve(segment.table().toString());
  }

  public Path segmentDir() {
    return tableDir().resolve(segment.segmentName());
  }

  public Path backupDir() {
    return tableDir().resolve(segment.segmentName() + BACKUP_SUFFIX);
  }

  public Path tempDir() {
    return tableDir().resolve(segment.segmentName() + TEMP_SUFFIX);
  }

  public Path stagingRoot() {
    return tableDir().resolve(STAGING_DIR);
  }
}
