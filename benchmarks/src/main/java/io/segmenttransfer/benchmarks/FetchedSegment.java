package io.segmenttransfer.benchmarks;

import io.segmenttransfer.benchmarks.RealSegments.RealArchive;
import io.segmenttransfer.core.segment.SegmentCrc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Adler32;

/**
 * Checks a fetched segment directory against the segment Pinot built: its name, the same files with
 * the same sizes, and Pinot's CRC computed from the fetched files' bytes equal to the one in the
 * built segment's {@code creation.meta}.
 */
final class FetchedSegment {

  private record Checksum(String path, long size, long adler32)
      implements SegmentCrc.FileChecksum {}

  private FetchedSegment() {}

  /** Relative path to size of every regular file under {@code dir}, sorted. */
  static Map<String, Long> files(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), Files.size(p));
      }
    }
    return files;
  }

  /** Fails with what differs when {@code fetched} is not {@code real}'s segment. */
  static void requireSame(Path fetched, RealArchive real) throws IOException {
    if (!fetched.getFileName().toString().equals(real.segmentName())) {
      throw new IOException(fetched + " is not named " + real.segmentName());
    }
    Map<String, Long> expected = files(real.segmentDir());
    Map<String, Long> actual = files(fetched);
    if (!actual.equals(expected)) {
      throw new IOException(fetched + " holds " + actual + ", Pinot built " + expected);
    }
    long crc = crcOf(fetched);
    if (crc != real.crc()) {
      throw new IOException(
          fetched + ": CRC of the fetched files " + crc + ", creation.meta says " + real.crc());
    }
  }

  private static long crcOf(Path dir) throws IOException {
    List<Checksum> checksums = new ArrayList<>();
    byte[] buffer = new byte[1 << 20];
    for (String relative : files(dir).keySet()) {
      Adler32 adler = new Adler32();
      long size = 0;
      try (InputStream in = Files.newInputStream(dir.resolve(relative))) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          adler.update(buffer, 0, n);
          size += n;
        }
      }
      checksums.add(new Checksum(relative, size, adler.getValue()));
    }
    return SegmentCrc.of(checksums);
  }
}
