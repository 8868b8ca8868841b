package io.segmenttransfer.benchmarks;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.segmenttransfer.core.archive.Codec;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decompression ceiling: the same libraries the pipeline uses (the JDK {@link Inflater},
 * zstd-jni) decompressing an in-memory archive into one reused direct buffer whose contents are
 * discarded. No tar parsing, no checksums, no files: nothing a pipeline could do goes faster.
 */
public final class DecompressToNothing {

  private static final int OUTPUT_SIZE = 256 * 1024;

  private DecompressToNothing() {}

  /** Decompresses the whole archive; returns the number of bytes it expands to. */
  public static long decompress(ByteBuffer archive, Codec codec) {
    return switch (codec) {
      case GZIP -> gzip(archive.duplicate());
      case ZSTD -> zstd(archive.duplicate());
      default -> throw new IllegalArgumentException("no decompression ceiling for " + codec);
    };
  }

  private static long gzip(ByteBuffer in) {
    skipGzipHeader(in);
    Inflater inflater = new Inflater(true);
    ByteBuffer out = ByteBuffer.allocateDirect(OUTPUT_SIZE);
    long total = 0;
    try {
      inflater.setInput(in);
      while (!inflater.finished()) {
        int n = inflater.inflate(out.clear());
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalStateException("gzip stream is truncated");
        }
        total += n;
      }
      return total;
    } catch (DataFormatException e) {
      throw new IllegalStateException("corrupt gzip stream", e);
    } finally {
      inflater.end();
    }
  }

  /** Skips a gzip member header (RFC 1952), optional fields included. */
  private static void skipGzipHeader(ByteBuffer in) {
    if ((in.get() & 0xff) != 0x1f || (in.get() & 0xff) != 0x8b || in.get() != 8) {
      throw new IllegalStateException("not a deflate gzip stream");
    }
    int flags = in.get() & 0xff;
    in.position(in.position() + 6);
    if ((flags & 4) != 0) {
      int extra = (in.get() & 0xff) | (in.get() & 0xff) << 8;
      in.position(in.position() + extra);
    }
    for (int bit : new int[] {8, 16}) {
      if ((flags & bit) != 0) {
        while (in.get() != 0) {
          // skip the zero-terminated name or comment
        }
      }
    }
    if ((flags & 2) != 0) {
      in.position(in.position() + 2);
    }
  }

  private static long zstd(ByteBuffer in) {
    ByteBuffer out = ByteBuffer.allocateDirect(OUTPUT_SIZE);
    long total = 0;
    try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
      boolean frameDone = false;
      while (in.hasRemaining() || !frameDone) {
        out.clear();
        int before = in.position();
        frameDone = ctx.decompressDirectByteBufferStream(out, in);
        total += out.position();
        if (out.position() == 0 && in.position() == before && !frameDone) {
          throw new IllegalStateException("zstd stream is truncated");
        }
      }
      return total;
    }
  }
}
