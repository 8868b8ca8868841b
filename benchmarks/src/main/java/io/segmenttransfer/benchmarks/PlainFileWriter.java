package io.segmenttransfer.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file-write ceiling: writes files of a segment's sizes from one reused direct buffer with
 * {@code FileChannel.write}, as the pipeline's writer does, with no decompression or checksums.
 */
public final class PlainFileWriter {

  private static final int BUFFER_SIZE = 256 * 1024;

  private final ByteBuffer buffer;

  public PlainFileWriter() {
    buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    for (int i = 0; buffer.hasRemaining(); i++) {
      // Content does not change write speed; it only needs to be non-zero so nothing is sparse.
      buffer.put((byte) (i * 31 + 7));
    }
    buffer.flip();
  }

  /**
   * Writes the segment's files (same relative paths and sizes) under {@code dir}; returns bytes
   * written. Blocking.
   */
  public long write(SyntheticSegment segment, Path dir) throws IOException {
    long total = 0;
    for (String sub : segment.directories()) {
      Files.createDirectories(dir.resolve(sub));
    }
    for (SyntheticSegment.GeneratedFile file : segment.files()) {
      try (FileChannel channel =
          FileChannel.open(
              dir.resolve(file.path()), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long left = file.size();
        while (left > 0) {
          ByteBuffer chunk = buffer.duplicate();
          chunk.limit((int) Math.min(chunk.capacity(), left));
          while (chunk.hasRemaining()) {
            left -= channel.write(chunk);
          }
        }
        total += file.size();
      }
    }
    return total;
  }
}
