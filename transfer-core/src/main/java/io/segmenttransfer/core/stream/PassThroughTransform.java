package io.segmenttransfer.core.stream;

import java.nio.ByteBuffer;

/** A {@link ByteTransform} that copies its input unchanged: plain tar, the no-op crypter. */
public final class PassThroughTransform implements ByteTransform {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /**
   * The current chunk; dropped once consumed so the caller may refill and re-offer the same buffer.
   */
  private ByteBuffer input = EMPTY;

  private boolean ended;
  private long bytesIn;

  @Override
  public void offer(ByteBuffer chunk) {
    if (input.hasRemaining()) {
      throw new IllegalStateException("offer() before the previous input was consumed");
    }
    if (ended) {
      throw new IllegalStateException("offer() after endOfInput()");
    }
    input = chunk;
  }

  @Override
  public boolean needsInput() {
    return !input.hasRemaining() && !ended;
  }

  @Override
  public void endOfInput() {
    ended = true;
  }

  @Override
  public int read(ByteBuffer dst) {
    if (!input.hasRemaining()) {
      return ended ? -1 : 0;
    }
    int n = Math.min(input.remaining(), dst.remaining());
    if (n == 0) {
      return 0;
    }
    ByteBuffer slice = input.slice(input.position(), n);
    dst.put(slice);
    input.position(input.position() + n);
    bytesIn += n;
    if (!input.hasRemaining()) {
      input = EMPTY;
    }
    return n;
  }

  @Override
  public long bytesIn() {
    return bytesIn;
  }

  @Override
  public long bytesOut() {
    return bytesIn;
  }

  @Override
  public void close() {
    input = EMPTY;
  }
}
