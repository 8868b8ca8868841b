package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;

/**
 * Streaming zstd decoder on zstd-jni's {@link ZstdDecompressCtx}, one or more frames back to back
 * (skippable frames are skipped by the library). Memory: the zstd window of the current frame
 * (the library refuses windows over 128 MiB), plus a direct input staging buffer when the caller
 * offers heap chunks and a direct output staging buffer when it reads into heap buffers, because
 * the JNI calls take only direct buffers.
 */
final class ZstdDecoder implements ByteTransform {

  /** ZSTD_DStreamInSize / ZSTD_DStreamOutSize: one full zstd block plus its header. */
  private static final int STAGING_SIZE = 128 * 1024 + 64;

  private final String subject;
  private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
  private final NativeInput input = new NativeInput(STAGING_SIZE);
  private ByteBuffer outStaging;
  private long bytesOut;
  private long frames;
  private boolean inFrame;
  /** The last call filled its output, so the library may still hold decoded bytes to flush. */
  private boolean outputMayBePending;
  private boolean ended;
  private boolean done;
  private boolean closed;
  private InvalidArchiveException failure;

  ZstdDecoder(String subject) {
    this.subject = subject;
  }

  @Override
  public void offer(ByteBuffer chunk) {
    checkUsable();
    if (ended) {
      throw new IllegalStateException("offer() after endOfInput()");
    }
    input.offer(chunk);
  }

  @Override
  public boolean needsInput() {
    return !ended && !closed && failure == null && input.isEmpty();
  }

  @Override
  public void endOfInput() {
    ended = true;
  }

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    if (done) {
      return -1;
    }
    int produced = 0;
    while (dst.hasRemaining()) {
      ByteBuffer src = input.source();
      if (!src.hasRemaining() && !outputMayBePending) {
        // Nothing to feed and nothing buffered: calling anyway would count towards zstd's
        // "no forward progress" limit and fail a perfectly valid stream.
        break;
      }
      ByteBuffer target = dst.isDirect() ? dst : stagingFor(dst);
      int srcBefore = src.position();
      int dstBefore = target.position();
      boolean frameComplete;
      try {
        frameComplete = ctx.decompressDirectByteBufferStream(target, src);
      } catch (ZstdException e) {
        throw fail(new InvalidArchiveException(
            subject, "corrupt zstd stream at input byte " + input.consumed() + ": " + e.getMessage(), e));
      }
      int made = target.position() - dstBefore;
      boolean consumed = src.position() != srcBefore;
      outputMayBePending = !target.hasRemaining();
      if (target != dst) {
        dst.put(target.flip());
      }
      produced += made;
      if (frameComplete) {
        inFrame = false;
        frames++;
      } else if (consumed || made > 0) {
        inFrame = true;
      } else if (src.hasRemaining()) {
        throw fail(new InvalidArchiveException(
            subject, "zstd decoder made no progress at input byte " + input.consumed()));
      }
    }
    bytesOut += produced;
    if (produced > 0 || !dst.hasRemaining() || !ended) {
      return produced;
    }
    if (inFrame || frames == 0) {
      throw fail(new InvalidArchiveException(
          subject, "truncated zstd stream: input ended inside a frame after " + input.consumed() + " bytes"));
    }
    done = true;
    return -1;
  }

  private ByteBuffer stagingFor(ByteBuffer dst) {
    if (outStaging == null) {
      outStaging = ByteBuffer.allocateDirect(STAGING_SIZE);
    }
    outStaging.clear().limit(Math.min(STAGING_SIZE, dst.remaining()));
    return outStaging;
  }

  @Override
  public long bytesIn() {
    return input.consumed();
  }

  @Override
  public long bytesOut() {
    return bytesOut;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      ctx.close();
      input.release();
      outStaging = null;
    }
  }

  private void checkUsable() {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new IllegalStateException("zstd decoder for " + subject + " is closed");
    }
  }

  private InvalidArchiveException fail(InvalidArchiveException e) {
    failure = e;
    return e;
  }
}
