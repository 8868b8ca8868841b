package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;

/**
 * The caller's output buffer as a JNI codec sees it, the companion of {@link NativeInput}: a direct
 * buffer is written into as is (no copy), a heap one through a direct staging buffer allocated once
 * per transform, because zstd-jni's streaming calls take only direct buffers.
 */
final class NativeOutput {

  private final int stagingSize;
  private ByteBuffer staging;

  NativeOutput(int stagingSize) {
    this.stagingSize = stagingSize;
  }

  /**
   * The direct buffer the codec writes into for {@code dst}: {@code dst} itself, or the staging
   * buffer limited to what {@code dst} has room for, so {@link #drain} never overflows it.
   */
  ByteBuffer target(ByteBuffer dst) {
    if (dst.isDirect()) {
      return dst;
    }
    if (staging == null) {
      staging = ByteBuffer.allocateDirect(stagingSize);
    }
    staging.clear().limit(Math.min(stagingSize, dst.remaining()));
    return staging;
  }

  /** Moves what the codec wrote into {@code target} over to {@code dst}, if they differ. */
  static void drain(ByteBuffer target, ByteBuffer dst) {
    if (target != dst) {
      dst.put(target.flip());
    }
  }

  /** Drops the staging buffer. */
  void release() {
    staging = null;
  }
}
