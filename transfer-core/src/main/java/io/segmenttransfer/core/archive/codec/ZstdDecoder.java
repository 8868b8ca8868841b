package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;

/**
 * Streaming zstd decoder on zstd-jni's {@link ZstdDecompressCtx}, one or more frames back to back
 * (skippable frames are skipped by the library). Memory: the zstd window of the current frame (the
 * library refuses windows over 128 MiB), plus a direct input staging buffer when the caller offers
 * heap chunks and a direct output staging buffer when it reads into heap buffers, because the JNI
 * calls take only direct buffers.
 */
final class ZstdDecoder extends StreamingTransform {

  static {
    // Before zstd-jni's classes load their library their own way.
    ZstdNativeLibrary.ensureLoaded();
  }

  /** ZSTD_DStreamInSize / ZSTD_DStreamOutSize: one full zstd block plus its header. */
  private static final int STAGING_SIZE = 128 * 1024 + 64;

  private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
  private final NativeInput nativeInput = new NativeInput(STAGING_SIZE);
  private final NativeOutput nativeOutput = new NativeOutput(STAGING_SIZE);
  private long frames;
  private boolean inFrame;

  /** The last call filled its output, so the library may still hold decoded bytes to flush. */
  private boolean outputMayBePending;

  private boolean done;

  ZstdDecoder(String subject) {
    super("zstd decoder", subject);
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
      if (!src.hasRemaining() && !outputMayBePending) {
        // Nothing to feed and nothing buffered: calling anyway would count towards zstd's
        // "no forward progress" limit and fail a perfectly valid stream.
        break;
      }
      ByteBuffer target = nativeOutput.target(dst);
      int srcBefore = src.position();
      int dstBefore = target.position();
      boolean frameComplete;
      try {
        frameComplete = ctx.decompressDirectByteBufferStream(target, src);
      } catch (ZstdException e) {
        throw fail(
            "corrupt zstd stream at input byte " + nativeInput.consumed() + ": " + e.getMessage(),
            e);
      }
      int made = target.position() - dstBefore;
      boolean consumed = src.position() != srcBefore;
      outputMayBePending = !target.hasRemaining();
      NativeOutput.drain(target, dst);
      produced += made;
      if (frameComplete) {
        inFrame = false;
        frames++;
      } else if (consumed || made > 0) {
        inFrame = true;
      } else if (src.hasRemaining()) {
        throw fail("zstd decoder made no progress at input byte " + nativeInput.consumed());
      }
    }
    countOut(produced);
    if (produced > 0 || !dst.hasRemaining() || !ended()) {
      return produced;
    }
    if (inFrame || frames == 0) {
      throw fail(
          "truncated zstd stream: input ended inside a frame after "
              + nativeInput.consumed()
              + " bytes");
    }
    done = true;
    return -1;
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
