package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.stream.ByteTransform;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * Drives a {@link ByteTransform} over a byte array the way the pipeline does, with the input cut
 * into chunks and the output read through a buffer of a given size, and checks the contract on
 * every call: {@code read} returns 0 only when more input is wanted, reports exactly what it wrote,
 * returns -1 only after {@code endOfInput()}, and consumes every offered chunk.
 */
final class TransformDriver {

  /** How the input is cut and the output read. */
  record Plan(
      String name,
      IntUnaryOperator chunkSize,
      int outSize,
      boolean directIn,
      boolean directOut,
      boolean reuseInput) {

    /** Every input chunk of {@code chunk} bytes (the last one shorter). */
    static Plan fixed(int chunk, int outSize, boolean direct) {
      return new Plan(
          "chunks of " + chunk + ", out " + outSize + (direct ? ", direct" : ", heap"),
          remaining -> chunk,
          outSize,
          direct,
          direct,
          false);
    }

    /** Like {@link #fixed}, refilling one input buffer object as a pooling caller does. */
    static Plan reusing(int chunk, int outSize, boolean direct) {
      return new Plan(
          "one reused input buffer of "
              + chunk
              + ", out "
              + outSize
              + (direct ? ", direct" : ", heap"),
          remaining -> chunk,
          outSize,
          direct,
          direct,
          true);
    }

    /** Chunks of random sizes in 1..maxChunk; input and output heap or direct independently. */
    static Plan random(long seed, int maxChunk, int outSize, boolean directIn, boolean directOut) {
      Random random = new Random(seed);
      return new Plan(
          "random chunks up to "
              + maxChunk
              + " (seed "
              + seed
              + "), out "
              + outSize
              + (directIn ? ", direct in" : ", heap in")
              + (directOut ? ", direct out" : ", heap out"),
          remaining -> 1 + random.nextInt(maxChunk),
          outSize,
          directIn,
          directOut,
          false);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private TransformDriver() {}

  /** Runs {@code transform} over all of {@code input} and returns its whole output. */
  static byte[] run(ByteTransform transform, byte[] input, Plan plan) {
    try (transform) {
      return drive(transform, input, plan);
    }
  }

  /** Like {@link #run}, with the usual plan: 64 KiB chunks into a 64 KiB heap buffer. */
  static byte[] run(ByteTransform transform, byte[] input) {
    return run(transform, input, Plan.fixed(64 * 1024, 64 * 1024, false));
  }

  private static byte[] drive(ByteTransform t, byte[] input, Plan plan) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer dst =
        plan.directOut()
            ? ByteBuffer.allocateDirect(plan.outSize())
            : ByteBuffer.allocate(plan.outSize());
    byte[] drained = new byte[plan.outSize()];
    int offset = 0;
    int chunkIndex = 0;
    ByteBuffer reused = null;
    while (offset < input.length) {
      assertThat(t.needsInput()).as("needsInput before chunk %d", chunkIndex).isTrue();
      int n =
          Math.max(
              1,
              Math.min(plan.chunkSize().applyAsInt(input.length - offset), input.length - offset));
      ByteBuffer chunk;
      if (plan.reuseInput()) {
        if (reused == null) {
          reused = plan.directIn() ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        }
        chunk = reused.clear().put(input, offset, n).flip();
      } else {
        chunk = chunk(input, offset, n, plan.directIn(), chunkIndex);
      }
      chunkIndex++;
      offset += n;
      t.offer(chunk);
      while (true) {
        int before = dst.position();
        int r = t.read(dst);
        assertThat(r).as("read() before endOfInput()").isGreaterThanOrEqualTo(0);
        assertThat(dst.position() - before).as("bytes written vs returned").isEqualTo(r);
        if (r == 0) {
          assertThat(t.needsInput())
              .as("read() returned 0 with room in dst: needsInput()")
              .isTrue();
          assertThat(chunk.hasRemaining()).as("chunk left unconsumed").isFalse();
          break;
        }
        drain(dst, drained, out);
      }
    }
    t.endOfInput();
    assertThat(t.needsInput()).as("needsInput after endOfInput").isFalse();
    long calls = 0;
    while (true) {
      int before = dst.position();
      int r = t.read(dst);
      if (r < 0) {
        assertThat(r).isEqualTo(-1);
        break;
      }
      assertThat(r).as("read() after endOfInput with room in dst must not return 0").isPositive();
      assertThat(dst.position() - before).as("bytes written vs returned").isEqualTo(r);
      drain(dst, drained, out);
      assertThat(++calls).as("read() calls after endOfInput").isLessThan(1L << 32);
    }
    assertThat(t.read(dst)).as("read() after the end").isEqualTo(-1);
    assertThat(t.bytesIn()).as("bytesIn").isEqualTo(input.length);
    assertThat(t.bytesOut()).as("bytesOut").isEqualTo(out.size());
    return out.toByteArray();
  }

  /**
   * A chunk holding {@code input[offset, offset + n)}, placed so that the transform must honour
   * position and array offset: heap chunks alternate between a window on the whole array and a
   * slice, direct ones start at a varying position.
   */
  private static ByteBuffer chunk(byte[] input, int offset, int n, boolean direct, int index) {
    if (direct) {
      int pad = index % 3;
      ByteBuffer b = ByteBuffer.allocateDirect(n + 2 * pad);
      b.position(pad);
      b.put(input, offset, n);
      return b.position(pad).limit(pad + n);
    }
    ByteBuffer window = ByteBuffer.wrap(input, offset, n);
    return index % 2 == 0 ? window : window.slice();
  }

  private static void drain(ByteBuffer dst, byte[] scratch, ByteArrayOutputStream out) {
    dst.flip();
    int n = dst.remaining();
    dst.get(scratch, 0, n);
    out.write(scratch, 0, n);
    dst.clear();
  }
}
