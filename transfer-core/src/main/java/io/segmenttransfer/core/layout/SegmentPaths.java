package io.segmenttransfer.core.layout;

import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The on-disk layout of a server's data directory, as Pinot has it:
 *
 * <pre>
 * dataDir/tableNameWithType/segmentName                  the segment in service
 * dataDir/tableNameWithType/segmentName.segment.bak      the previous copy while a replace or reload runs
 * dataDir/tableNameWithType/segmentName.segment.tmp      a previous copy being deleted after success
 * dataDir/tableNameWithType/tmp/segmentName-unique/      staging for downloads
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

  /**
   * A staging directory's name, {@code <prefix>-<32 hex digits>}: 128 random bits, unique among the
   * staging directories of a data directory. From {@link ThreadLocalRandom}, not {@code
   * UUID.randomUUID()}: the name needs no secrecy, and the first {@code SecureRandom} of a JVM
   * loads and seeds the JDK's security providers, ~12 ms on a cold command's critical path before
   * its first byte (class-load timeline of a cold {@code extract}).
   */
  public static String stagingName(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return prefix + '-' + hex16(random.nextLong()) + hex16(random.nextLong());
  }

  private static String hex16(long value) {
    String digits = Long.toHexString(value);
    return "0".repeat(16 - digits.length()) + digits;
  }
}
