package io.segmenttransfer.core.segment;

import java.util.Comparator;
import java.util.List;

/**
 * The Pinot segment CRC: one running Adler-32 over every regular file of the segment directory
 * except {@code creation.meta} and names ending in {@code .crc}, files in sorted path order.
 *
 * <p>Files are checksummed while they are written, in archive order; the segment CRC is then
 * derived by combining the per-file Adler-32 values in sorted order (the zlib {@code
 * adler32_combine} identity), so no file is read a second time.
 */
public final class SegmentCrc {

  /** Adler-32 of no bytes. */
  public static final long EMPTY = 1L;

  private static final long BASE = 65521L;

  private SegmentCrc() {}

  /** One file's contribution: its path relative to the segment directory, size and Adler-32. */
  public interface FileChecksum {
    String path();

    long size();

    long adler32();
  }

  /** Whether a file takes part in the segment CRC, by its relative path. */
  public static boolean isCovered(String relativePath) {
    String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
    return !name.equals(CreationMeta.FILE_NAME) && !name.endsWith(".crc");
  }

  /**
   * Combines the covered files' checksums in the order Pinot reads them: sorted by path. Pinot
   * sorts {@code java.io.File}s under one root, which on Unix compares the path strings.
   */
  public static long of(List<? extends FileChecksum> files) {
    long crc = EMPTY;
    List<? extends FileChecksum> sorted =
        files.stream()
            .filter(f -> isCovered(f.path()))
            .sorted(Comparator.comparing(FileChecksum::path))
            .toList();
    for (FileChecksum file : sorted) {
      crc = combine(crc, file.adler32(), file.size());
    }
    return crc;
  }

  /**
   * The Adler-32 of A followed by B, given adler(A), adler(B) and the length of B (zlib's {@code
   * adler32_combine}, with 64-bit lengths).
   */
  public static long combine(long adler1, long adler2, long length2) {
    long rem = Long.remainderUnsigned(length2, BASE);
    long sum1 = adler1 & 0xffff;
    long sum2 = (rem * sum1) % BASE;
    sum1 += (adler2 & 0xffff) + BASE - 1;
    sum2 += ((adler1 >>> 16) & 0xffff) + ((adler2 >>> 16) & 0xffff) + BASE - rem;
    if (sum1 >= BASE) {
      sum1 -= BASE;
    }
    if (sum1 >= BASE) {
      sum1 -= BASE;
    }
    if (sum2 >= (BASE << 1)) {
      sum2 -= (BASE << 1);
    }
    if (sum2 >= BASE) {
      sum2 -= BASE;
    }
    return sum1 | (sum2 << 16);
  }
}
