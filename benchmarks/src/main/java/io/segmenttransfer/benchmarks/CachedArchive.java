package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import java.nio.file.Path;

/**
 * A generated segment archive on disk, with what a benchmark checks its result against.
 *
 * @param file the archive
 * @param spec the segment it holds
 * @param codec its compression
 * @param level the compression level it was written with
 * @param crc the segment CRC (also in its {@code creation.meta})
 * @param uncompressedBytes the sum of the segment's file sizes
 * @param tarBytes the size of the plain tar stream, what decompression alone produces
 * @param archiveBytes the archive's size
 */
public record CachedArchive(
    Path file,
    SegmentSpec spec,
    Codec codec,
    int level,
    long crc,
    long uncompressedBytes,
    long tarBytes,
    long archiveBytes) {

  /** Uncompressed over compressed size. */
  public double compressionRatio() {
    return (double) uncompressedBytes / archiveBytes;
  }
}
