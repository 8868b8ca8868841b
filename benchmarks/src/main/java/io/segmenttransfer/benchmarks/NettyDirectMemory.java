package io.segmenttransfer.benchmarks;

import io.netty.util.internal.PlatformDependent;

/**
 * Direct memory Netty allocated itself. Netty (the S3 client, reactor-netty, the peers) allocates
 * most of its direct buffers without a JDK cleaner, so they never show in the JDK's "direct" buffer
 * pool; Netty counts them in its own counter, which this reads.
 */
final class NettyDirectMemory {

  private NettyDirectMemory() {}

  /** Bytes Netty holds outside the JDK's buffer pool now; 0 when Netty does not count them. */
  static long used() {
    return Math.max(0, PlatformDependent.usedDirectMemory());
  }
}
