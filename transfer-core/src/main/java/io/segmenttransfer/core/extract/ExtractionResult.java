package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A segment extracted, verified and moved into place.
 *
 * @param segment the segment
 * @param directory where it now lives: {@code <dataDir>/<table>/<segmentName>}
 * @param files every regular file written, in archive order
 * @param bytesWritten total size of the files
 * @param archiveBytes archive bytes consumed (compressed, encrypted)
 * @param crc the Pinot CRC computed from the bytes as they were written
 * @param creationMeta the segment's {@code creation.meta}
 * @param codec the compression detected
 * @param replaced whether an existing copy of the segment was replaced
 * @param timings where the time went
 */
public record ExtractionResult(
    SegmentId segment,
    Path directory,
    List<ExtractedFile> files,
    long bytesWritten,
    long archiveBytes,
    long crc,
    CreationMeta creationMeta,
    Codec codec,
    boolean replaced,
    Timings timings) {

  public ExtractionResult {
    files = List.copyOf(files);
  }

  /**
   * @param total from subscription to the segment being in place
   * @param decode time the decoder stage was busy (decrypt, decompress, tar parse)
   * @param write time the writer stage was busy (file writes and checksums)
   */
  public record Timings(Duration total, Duration decode, Duration write) {}

  /** Uncompressed megabytes per second over the whole extraction. */
  public double megabytesPerSecond() {
    double seconds = Math.max(timings.total().toNanos(), 1) / 1e9;
    return bytesWritten / 1e6 / seconds;
  }
}
