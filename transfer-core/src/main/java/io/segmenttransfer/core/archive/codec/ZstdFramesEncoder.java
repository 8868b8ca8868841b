package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import io.segmenttransfer.core.error.InvalidArchiveException;

/**
 * zstd as a sequence of independent frames, one per chunk, compressed on all cores: each frame
 * declares its content size and carries a content checksum, and its window is at most the chunk
 * size (a one-shot compression sizes the window to its input, so within 2^25 here, under the 2^27
 * every decoder accepts by default). Any zstd decoder reads the frames back to back as one stream;
 * {@link ZstdFramesDecoder} finds them from their headers and decodes them in parallel.
 */
final class ZstdFramesEncoder extends ChunkedEncoder {

  static {
    // Before zstd-jni's classes load their library their own way.
    ZstdNativeLibrary.ensureLoaded();
  }

  private static final byte[] NOTHING = new byte[0];

  private final int level;

  ZstdFramesEncoder(String subject, int level, ParallelSettings settings) {
    super("zstd frames encoder", subject, settings);
    this.level = level;
  }

  @Override
  byte[] header(int chunkSize) {
    return NOTHING;
  }

  /** The last chunk may be empty (input a multiple of the chunk size): it still makes a frame. */
  @Override
  Compressed compress(byte[] input, int length, boolean last) {
    int bound = (int) Zstd.compressBound(length);
    byte[] out = arrays.take(bound);
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(level).setChecksum(true).setContentSize(true);
      int n = ctx.compressByteArray(out, 0, bound, input, 0, length);
      return new Compressed(out, n, length, 0);
    } catch (ZstdException e) {
      throw new InvalidArchiveException(subject, "zstd compression failed: " + e.getMessage(), e);
    }
  }

  @Override
  byte[] trailer() {
    return NOTHING;
  }
}
