package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.nio.file.Path;

/**
 * The segment archive {@link NetworkPathBenchmark} moves, whichever way it was made: a real Pinot
 * segment ({@link RealSegments}, Pinot's own archive of it) or a generated one ({@link
 * ArchiveCache}).
 *
 * @param file the archive
 * @param codec its compression
 * @param table the table it extracts under
 * @param segmentName the segment's name
 * @param crc the segment CRC every transfer checks
 * @param archiveBytes the archive's size
 * @param uncompressedBytes the sum of the segment's file sizes
 * @param description what it is, for the report
 */
record NetworkPathSegment(
    Path file,
    Codec codec,
    TableNameWithType table,
    String segmentName,
    long crc,
    long archiveBytes,
    long uncompressedBytes,
    String description) {

  static NetworkPathSegment real(RealSegments.RealArchive real) {
    return new NetworkPathSegment(
        real.file(),
        real.codec(),
        TableNameWithType.parse(RealSegments.TABLE_WITH_TYPE),
        real.segmentName(),
        real.crc(),
        real.archiveBytes(),
        real.segmentBytes(),
        "real Pinot segment, " + real.rows() + " rows, Pinot's archive");
  }

  static NetworkPathSegment generated(CachedArchive generated) {
    return new NetworkPathSegment(
        generated.file(),
        generated.codec(),
        generated.spec().table(),
        generated.spec().segmentName(),
        generated.crc(),
        generated.archiveBytes(),
        generated.uncompressedBytes(),
        "generated segment, " + generated.spec().totalBytes() / 1048576 + " MiB");
  }
}
