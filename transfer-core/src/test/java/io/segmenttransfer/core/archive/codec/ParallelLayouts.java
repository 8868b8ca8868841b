package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.ZstdCompressCtx;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Test settings (small chunks, so test data spans many) and plain single-threaded writers of the
 * two parallel layouts, written from the format description rather than with the production
 * encoders, to check those against.
 */
final class ParallelLayouts {

  static final int CHUNK = ParallelSettings.MIN_CHUNK_SIZE;

  static final ParallelSettings SETTINGS = new ParallelSettings(2, CHUNK, 3, CodecPool.shared());

  private ParallelLayouts() {}

  /** zstd frames of {@code chunk} bytes each, with content size and checksum. */
  static byte[] zstdFrames(byte[] data, int chunk, int level) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    do {
      int n = Math.min(chunk, data.length - at);
      try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
        ctx.setLevel(level).setChecksum(true).setContentSize(true);
        out.writeBytes(ctx.compress(Arrays.copyOfRange(data, at, at + n)));
      }
      at += n;
    } while (at < data.length);
    return out.toByteArray();
  }

  /** One gzip member: the 'ST' extra field, raw deflate per chunk ending in a full flush. */
  static byte[] gzipChunks(byte[] data, int chunk, int level) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(21).order(ByteOrder.LITTLE_ENDIAN);
    header.put(new byte[] {0x1f, (byte) 0x8b, 8, 4, 0, 0, 0, 0, 0, (byte) 0xff});
    header.putShort((short) 9).put((byte) 'S').put((byte) 'T').putShort((short) 5);
    header.put((byte) 1).putInt(chunk);
    out.writeBytes(header.array());
    int at = 0;
    byte[] buffer = new byte[chunk * 2 + 1024];
    while (true) {
      int n = Math.min(chunk, data.length - at);
      boolean last = at + n == data.length;
      Deflater deflater = new Deflater(level, true);
      deflater.setInput(data, at, n);
      if (last) {
        deflater.finish();
        while (!deflater.finished()) {
          out.write(buffer, 0, deflater.deflate(buffer));
        }
      } else {
        int made;
        do {
          made = deflater.deflate(buffer, 0, buffer.length, Deflater.FULL_FLUSH);
          out.write(buffer, 0, made);
        } while (made == buffer.length);
      }
      deflater.end();
      at += n;
      if (last) {
        break;
      }
    }
    CRC32 crc = new CRC32();
    crc.update(data);
    ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    trailer.putInt((int) crc.getValue()).putInt(data.length);
    out.writeBytes(trailer.array());
    return out.toByteArray();
  }
}
