package io.segmenttransfer.core.testing;

import io.segmenttransfer.core.stream.ByteTransform;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Runs a whole byte array through a {@link ByteTransform} (an encoder or encryptor, to build test
 * inputs).
 */
public final class Transforms {

  private Transforms() {}

  public static byte[] apply(ByteTransform transform, byte[] input) {
    try (transform) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer dst = ByteBuffer.allocate(64 * 1024);
      transform.offer(ByteBuffer.wrap(input));
      drain(transform, dst, out, false);
      transform.endOfInput();
      drain(transform, dst, out, true);
      return out.toByteArray();
    }
  }

  private static void drain(
      ByteTransform transform, ByteBuffer dst, ByteArrayOutputStream out, boolean ended) {
    while (true) {
      dst.clear();
      int n = transform.read(dst);
      if (n > 0) {
        out.write(dst.array(), 0, n);
      } else if (n < 0 || !ended) {
        return;
      }
    }
  }
}
