package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;

/**
 * What a generated segment looks like: its name and total size. Equal specs give byte-identical
 * segments (the content comes from a seeded generator), which is what lets archives be cached.
 *
 * @param table the table the segment belongs to
 * @param segmentName the segment's name, also its top-level directory in the archive
 * @param totalBytes the sum of the sizes of the segment's files
 * @param seed seeds the content generator
 */
public record SegmentSpec(TableNameWithType table, String segmentName, long totalBytes, long seed) {

  public static final TableNameWithType DEFAULT_TABLE =
      TableNameWithType.parse("benchmark_OFFLINE");

  /** The smallest segment the generator makes: below this the small files dominate. */
  public static final long MIN_TOTAL_BYTES = 1024 * 1024;

  private static final long MIB = 1024 * 1024;

  public SegmentSpec {
    SegmentId.validateSegmentName(segmentName);
    if (totalBytes < MIN_TOTAL_BYTES) {
      throw new IllegalArgumentException(
          "totalBytes must be at least " + MIN_TOTAL_BYTES + ", was " + totalBytes);
    }
  }

  /**
   * A segment of {@code mebibytes} MiB; its name carries the size and seed, so equal names mean
   * equal bytes.
   */
  public static SegmentSpec ofMebibytes(long mebibytes, long seed) {
    return new SegmentSpec(
        DEFAULT_TABLE, "bench_" + mebibytes + "MiB_" + seed, mebibytes * MIB, seed);
  }

  public SegmentId segmentId() {
    return new SegmentId(table, segmentName);
  }
}
