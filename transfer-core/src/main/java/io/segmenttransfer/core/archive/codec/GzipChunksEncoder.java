package io.segmenttransfer.core.archive.codec;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip as ONE member of independently compressed chunks ({@link GzipChunkLayout}), compressed on
 * all cores. Never several members: commons-compress's {@code GzipCompressorInputStream}, as Pinot
 * opens archives, stops after the first member and would silently lose the rest. The trailer's
 * CRC-32 is combined from the chunks' own ({@link Crc32Combine}).
 */
final class GzipChunksEncoder extends ChunkedEncoder {

  private final int level;
  private int crc;
  private long length;

  GzipChunksEncoder(String subject, int level, ParallelSettings settings) {
    super("gzip chunks encoder", subject, settings);
    this.level = level;
  }

  @Override
  byte[] header(int chunkSize) {
    return GzipChunkLayout.header(chunkSize);
  }

  @Override
  Compressed compress(byte[] input, int length, boolean last) {
    CRC32 checksum = new CRC32();
    checksum.update(input, 0, length);
    Deflater deflater = new Deflater(level, true);
    try {
      deflater.setInput(input, 0, length);
      // Stored blocks cost 5 bytes per 64 KiB at worst; the flush marker and final block a few.
      byte[] out = arrays.take(length + 5 * (length / 16_000 + 1) + 64);
      int written = 0;
      if (last) {
        deflater.finish();
      }
      while (true) {
        if (written == out.length) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        int n =
            deflater.deflate(
                out, written, out.length - written, last ? Deflater.NO_FLUSH : Deflater.FULL_FLUSH);
        written += n;
        if (last ? deflater.finished() : written < out.length && deflater.needsInput()) {
          break;
        }
      }
      return new Compressed(out, written, length, (int) checksum.getValue());
    } finally {
      deflater.end();
    }
  }

  @Override
  void emitted(Compressed chunk) {
    crc = Crc32Combine.combine(crc, chunk.crc(), chunk.inputLength());
    length += chunk.inputLength();
  }

  @Override
  byte[] trailer() {
    byte[] t = new byte[8];
    for (int i = 0; i < 4; i++) {
      t[i] = (byte) (crc >>> (8 * i));
      t[4 + i] = (byte) (length >>> (8 * i));
    }
    return t;
  }
}
