package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentCrc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * Writes a {@link SyntheticSegment} as the segment directory a Pinot server has once it has built a
 * consuming segment: {@code <dir>/v3/columns.psf}, {@code index_map}, {@code metadata.properties}
 * and a {@code creation.meta} with the real segment CRC (Adler-32 over the files in sorted order,
 * computed while they are written), so a commit of the directory passes every CRC check.
 */
public final class SegmentDirectoryWriter {

  private static final int BUFFER_SIZE = 256 * 1024;

  /**
   * What was written.
   *
   * @param dir the segment directory
   * @param crc the segment CRC its {@code creation.meta} holds
   * @param bytes the sum of its files' sizes
   */
  public record Written(Path dir, long crc, long bytes) {}

  private record Checksum(String path, long size, long adler32)
      implements SegmentCrc.FileChecksum {}

  private SegmentDirectoryWriter() {}

  /** Writes the segment into {@code dir} (created; it must not exist yet). Blocking. */
  public static Written write(SyntheticSegment segment, Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir);
    for (String sub : segment.directories()) {
      Files.createDirectories(dir.resolve(sub));
    }
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    Adler32 adler = new Adler32();
    List<Checksum> covered = new ArrayList<>();
    long bytes = 0;
    for (SyntheticSegment.GeneratedFile file : segment.dataFiles()) {
      adler.reset();
      SegmentContent content = segment.open(file);
      try (FileChannel channel =
          FileChannel.open(
              dir.resolve(file.path()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        while (true) {
          buffer.clear();
          int n = content.fill(buffer);
          if (n == 0) {
            break;
          }
          buffer.flip();
          adler.update(buffer.duplicate());
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
        }
        // On disk before anything is timed: no writeback of the segment competes with a
        // measurement.
        channel.force(true);
      }
      covered.add(new Checksum(file.path(), file.size(), adler.getValue()));
      bytes += file.size();
    }
    long crc = SegmentCrc.of(covered);
    byte[] meta = segment.creationMeta(crc);
    Files.write(
        dir.resolve(SyntheticSegment.CREATION_META_FILE), meta, StandardOpenOption.CREATE_NEW);
    return new Written(dir, crc, bytes + meta.length);
  }
}
