package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;

/**
 * Streaming zstd encoder on zstd-jni's {@link ZstdCompressCtx}: one frame with a content checksum
 * (so a decoder detects corruption the block structure alone would not). Heap input and heap output
 * go through direct staging buffers, as in {@link ZstdDecoder}.
 */
final class ZstdEncoder extends StreamingTransform {

  static {
    // Before zstd-jni's classes load their library their own way.
    ZstdNativeLibrary.ensureLoaded();
  }

  static final int DEFAULT_LEVEL = 3;

  /** ZSTD_CStreamInSize / ZSTD_CStreamOutSize: one full zstd block plus its header. */
  private static final int STAGING_SIZE = 128 * 1024 + 64;

  private final ZstdCompressCtx ctx = new ZstdCompressCtx();
  private final NativeInput nativeInput = new NativeInput(STAGING_SIZE);
  private final NativeOutput nativeOutput = new NativeOutput(STAGING_SIZE);
  private boolean done;

  ZstdEncoder(String subject, int level) {
    super("zstd encoder", subject);
    ctx.setLevel(level);
    ctx.setChecksum(true);
  }

  @Override
  void accept(ByteBuffer chunk) {
    nativeInput.offer(chunk);
  }

  @Override
  boolean inputDrained() {
    return nativeInput.isEmpty();
  }

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    if (done) {
      return -1;
    }
    int produced = 0;
    while (dst.hasRemaining()) {
      ByteBuffer src = nativeInput.source();
      EndDirective directive =
          ended() && nativeInput.sourceHoldsTheRest() ? EndDirective.END : EndDirective.CONTINUE;
      if (directive == EndDirective.CONTINUE && !src.hasRemaining()) {
        // Without new input the library keeps what it has until more comes or the frame ends.
        break;
      }
      ByteBuffer target = nativeOutput.target(dst);
      int srcBefore = src.position();
      int dstBefore = target.position();
      boolean flushed;
      try {
        flushed = ctx.compressDirectByteBufferStream(target, src, directive);
      } catch (ZstdException e) {
        throw new InvalidArchiveException(subject, "zstd compression failed: " + e.getMessage(), e);
      }
      int made = target.position() - dstBefore;
      NativeOutput.drain(target, dst);
      produced += made;
      if (directive == EndDirective.END && flushed) {
        done = true;
        break;
      }
      if (made == 0 && src.position() == srcBefore) {
        break;
      }
    }
    countOut(produced);
    if (produced > 0) {
      return produced;
    }
    return done ? -1 : 0;
  }

  @Override
  public long bytesIn() {
    return nativeInput.consumed();
  }

  @Override
  void release() {
    ctx.close();
    nativeInput.release();
    nativeOutput.release();
  }
}
