package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;

/**
 * Streaming zstd encoder on zstd-jni's {@link ZstdCompressCtx}: one frame with a content checksum
 * (so a decoder detects corruption the block structure alone would not). Heap input and heap
 * output go through direct staging buffers, as in {@link ZstdDecoder}.
 */
final class ZstdEncoder implements ByteTransform {

  static final int DEFAULT_LEVEL = 3;

  /** ZSTD_CStreamInSize / ZSTD_CStreamOutSize: one full zstd block plus its header. */
  private static final int STAGING_SIZE = 128 * 1024 + 64;

  private final String subject;
  private final ZstdCompressCtx ctx = new ZstdCompressCtx();
  private final NativeInput input = new NativeInput(STAGING_SIZE);
  private ByteBuffer outStaging;
  private long bytesOut;
  private boolean ended;
  private boolean done;
  private boolean closed;

  ZstdEncoder(String subject, int level) {
    this.subject = subject;
    ctx.setLevel(level);
    ctx.setChecksum(true);
  }

  @Override
  public void offer(ByteBuffer chunk) {
    checkOpen();
    if (ended) {
      throw new IllegalStateException("offer() after endOfInput()");
    }
    input.offer(chunk);
  }

  @Override
  public boolean needsInput() {
    return !ended && !closed && input.isEmpty();
  }

  @Override
  public void endOfInput() {
    ended = true;
  }

  @Override
  public int read(ByteBuffer dst) {
    checkOpen();
    if (done) {
      return -1;
    }
    int produced = 0;
    while (dst.hasRemaining()) {
      ByteBuffer src = input.source();
      EndDirective directive =
          ended && input.sourceHoldsTheRest() ? EndDirective.END : EndDirective.CONTINUE;
      if (directive == EndDirective.CONTINUE && !src.hasRemaining()) {
        // Without new input the library keeps what it has until more comes or the frame ends.
        break;
      }
      ByteBuffer target = dst.isDirect() ? dst : stagingFor(dst);
      int srcBefore = src.position();
      int dstBefore = target.position();
      boolean flushed;
      try {
        flushed = ctx.compressDirectByteBufferStream(target, src, directive);
      } catch (ZstdException e) {
        throw new InvalidArchiveException(subject, "zstd compression failed: " + e.getMessage(), e);
      }
      int made = target.position() - dstBefore;
      if (target != dst) {
        dst.put(target.flip());
      }
      produced += made;
      if (directive == EndDirective.END && flushed) {
        done = true;
        break;
      }
      if (made == 0 && src.position() == srcBefore) {
        break;
      }
    }
    bytesOut += produced;
    if (produced > 0) {
      return produced;
    }
    return done ? -1 : 0;
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

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("zstd encoder for " + subject + " is closed");
    }
  }
}
