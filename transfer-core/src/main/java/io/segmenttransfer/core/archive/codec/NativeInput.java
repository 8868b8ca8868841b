package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;

/**
 * The caller's current input chunk as a JNI codec sees it. zstd-jni's streaming calls take only
 * direct buffers, so a direct chunk is handed over as is (no copy) and a heap chunk is copied, one
 * staging buffer at a time, into a direct buffer allocated once per transform. Memory held: the
 * staging buffer, whatever the chunk size.
 */
final class NativeInput {

  private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);

  private final int stagingSize;
  private ByteBuffer staging;
  private ByteBuffer chunk = EMPTY;

  /** Bytes offered so far, consumed or not. */
  private long offered;

  NativeInput(int stagingSize) {
    this.stagingSize = stagingSize;
  }

  /**
   * Takes the next chunk. The previous one must have been drained; the same buffer object may come
   * back refilled, since the caller may reuse a buffer once it was consumed.
   */
  void offer(ByteBuffer next) {
    if ((next != chunk && chunk.hasRemaining()) || (staging != null && staging.hasRemaining())) {
      throw new IllegalStateException("offer() before the previous input was consumed");
    }
    offered += next.remaining();
    chunk = next;
  }

  /** True when every byte offered has been handed to the codec. */
  boolean isEmpty() {
    return !chunk.hasRemaining() && (staging == null || !staging.hasRemaining());
  }

  /**
   * The direct buffer the codec reads from next, possibly empty. The codec advances its position;
   * the staged bytes are refilled from a heap chunk only once the codec took all of them, so a byte
   * is copied at most once.
   */
  ByteBuffer source() {
    if (chunk.isDirect()) {
      return chunk;
    }
    if (staging == null) {
      staging = ByteBuffer.allocateDirect(stagingSize).flip();
    }
    if (!staging.hasRemaining() && chunk.hasRemaining()) {
      staging.clear();
      int n = Math.min(staging.remaining(), chunk.remaining());
      staging.put(0, chunk, chunk.position(), n).limit(n);
      chunk.position(chunk.position() + n);
    }
    return staging;
  }

  /** True when {@link #source()} holds every byte not yet handed to the codec. */
  boolean sourceHoldsTheRest() {
    return chunk.isDirect() || !chunk.hasRemaining();
  }

  /** Bytes handed to the codec so far (staged bytes the codec has not read do not count). */
  long consumed() {
    long staged = staging == null || chunk.isDirect() ? 0 : staging.remaining();
    return offered - chunk.remaining() - staged;
  }

  /** Drops the references to the caller's chunk and the staging buffer. */
  void release() {
    offered = consumed();
    chunk = EMPTY;
    staging = null;
  }
}
