package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import org.jspecify.annotations.Nullable;

/**
 * How the extraction pipeline uses memory. Bytes in flight per transfer are bounded by {@link
 * #maxBytesInFlight()}: {@code readAhead} source chunks queued before the decoder, {@code
 * writeAhead} decoded buffers queued before the writer, and the few buffers the stages hold while
 * working, whatever the segment size.
 *
 * @param bufferSize size of one decoded buffer handed from the decoder to the writer
 * @param readAhead source chunks requested ahead of the decoder
 * @param writeAhead decoded buffers queued ahead of the writer
 * @param limits what an archive may hold
 * @param parallelDecoding how archives in the parallel layouts (zstd frames, gzip independent
 *     chunks) are decoded on all cores; null to decode every archive serially on the decoder
 *     worker. Other archives are always read serially.
 */
public record ExtractionConfig(
    int bufferSize,
    int readAhead,
    int writeAhead,
    ArchiveLimits limits,
    @Nullable ParallelSettings parallelDecoding) {

  public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;
  public static final int DEFAULT_READ_AHEAD = 4;
  public static final int DEFAULT_WRITE_AHEAD = 4;

  /**
   * Buffers a transfer holds besides the queues: one being decoded into, one being written, one
   * decrypted.
   */
  private static final int WORKING_BUFFERS = 3;

  public ExtractionConfig {
    if (bufferSize < 4096) {
      throw new IllegalArgumentException("bufferSize must be at least 4096, was " + bufferSize);
    }
    if (readAhead < 1 || writeAhead < 1) {
      throw new IllegalArgumentException(
          "readAhead and writeAhead must be at least 1, were " + readAhead + " and " + writeAhead);
    }
    if (limits == null) {
      throw new IllegalArgumentException("limits must be set");
    }
  }

  /** With the parallel layouts decoded on every core ({@link ParallelSettings#defaults()}). */
  public ExtractionConfig(int bufferSize, int readAhead, int writeAhead, ArchiveLimits limits) {
    this(bufferSize, readAhead, writeAhead, limits, ParallelSettings.defaults());
  }

  public static ExtractionConfig defaults() {
    return new ExtractionConfig(
        DEFAULT_BUFFER_SIZE, DEFAULT_READ_AHEAD, DEFAULT_WRITE_AHEAD, ArchiveLimits.defaults());
  }

  public ExtractionConfig withLimits(ArchiveLimits newLimits) {
    return new ExtractionConfig(bufferSize, readAhead, writeAhead, newLimits, parallelDecoding);
  }

  /** The parallel layouts decoded with {@code settings}, or serially when null. */
  public ExtractionConfig withParallelDecoding(@Nullable ParallelSettings settings) {
    return new ExtractionConfig(bufferSize, readAhead, writeAhead, limits, settings);
  }

  /**
   * Upper bound of archive and decoded bytes one transfer holds, assuming source chunks no larger
   * than {@code bufferSize} (the stores in this project chunk that way). An archive in a parallel
   * layout adds up to {@link ParallelSettings#chunksInFlight()} chunks, compressed and decoded
   * (about 8 MiB each with the default 4 MiB chunks), and the chunk being gathered.
   */
  public long maxBytesInFlight() {
    return (long) bufferSize * (readAhead + writeAhead + WORKING_BUFFERS);
  }
}
