package io.segmenttransfer.core.extract;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Recycles the direct buffers that carry decoded bytes from the decoder to the writer, so a steady
 * transfer allocates no direct memory. Direct because the inflater, zstd-jni and {@code
 * FileChannel.write} all work on native addresses without an extra copy. The pool only keeps
 * buffers; how many are in use at once is bounded by the pipeline's backpressure.
 */
final class BufferPool {
  private final int bufferSize;
  private final int maxPooled;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pooled = new AtomicInteger();

  BufferPool(int bufferSize, int maxPooled) {
    this.bufferSize = bufferSize;
    this.maxPooled = maxPooled;
  }

  ByteBuffer acquire() {
    ByteBuffer buffer = free.poll();
    if (buffer == null) {
      return ByteBuffer.allocateDirect(bufferSize);
    }
    pooled.decrementAndGet();
    return buffer.clear();
  }

  void release(ByteBuffer buffer) {
    if (buffer.capacity() == bufferSize && pooled.incrementAndGet() <= maxPooled) {
      free.offer(buffer);
    } else if (buffer.capacity() == bufferSize) {
      pooled.decrementAndGet();
    }
  }

  int bufferSize() {
    return bufferSize;
  }
}
