package io.segmenttransfer.core.archive;

/**
 * Limits that stop a hostile or broken archive before it fills the disk: total uncompressed bytes,
 * number of entries, and the compression ratio (decompression bombs). The ratio is only judged once
 * {@code ratioCheckAfterBytes} have been produced, so small, very compressible files (an empty
 * index, a column of one value) are not mistaken for bombs.
 */
public record ArchiveLimits(
    long maxUncompressedBytes,
    long maxEntries,
    long maxCompressionRatio,
    long ratioCheckAfterBytes) {

  /** 256 GiB: far above any real segment, well below a full disk of a server. */
  public static final long DEFAULT_MAX_UNCOMPRESSED_BYTES = 256L << 30;

  public static final long DEFAULT_MAX_ENTRIES = 100_000;

  /** Real segments compress 2-20x; gzip tops out near 1030x, zstd bombs go far beyond. */
  public static final long DEFAULT_MAX_COMPRESSION_RATIO = 1_000;

  public static final long DEFAULT_RATIO_CHECK_AFTER_BYTES = 64L << 20;

  public ArchiveLimits {
    if (maxUncompressedBytes <= 0
        || maxEntries <= 0
        || maxCompressionRatio <= 0
        || ratioCheckAfterBytes < 0) {
      throw new IllegalArgumentException(
          "archive limits must be positive: bytes="
              + maxUncompressedBytes
              + " entries="
              + maxEntries
              + " ratio="
              + maxCompressionRatio
              + " ratioCheckAfter="
              + ratioCheckAfterBytes);
    }
  }

  public static ArchiveLimits defaults() {
    return new ArchiveLimits(
        DEFAULT_MAX_UNCOMPRESSED_BYTES,
        DEFAULT_MAX_ENTRIES,
        DEFAULT_MAX_COMPRESSION_RATIO,
        DEFAULT_RATIO_CHECK_AFTER_BYTES);
  }

  public ArchiveLimits withMaxUncompressedBytes(long bytes) {
    return new ArchiveLimits(bytes, maxEntries, maxCompressionRatio, ratioCheckAfterBytes);
  }

  public ArchiveLimits withMaxEntries(long entries) {
    return new ArchiveLimits(
        maxUncompressedBytes, entries, maxCompressionRatio, ratioCheckAfterBytes);
  }

  public ArchiveLimits withMaxCompressionRatio(long ratio, long checkAfterBytes) {
    return new ArchiveLimits(maxUncompressedBytes, maxEntries, ratio, checkAfterBytes);
  }
}
