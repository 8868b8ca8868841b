package io.segmenttransfer.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.segmenttransfer.core.stream.ByteTransform;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Drives a {@link ByteTransform} exactly as its javadoc describes and checks the contract on every
 * call: offer only when {@code needsInput()}, 0 only when input is needed, never 0 with room after
 * {@code endOfInput()}, -1 only after it and then for good, output written from the buffer's
 * position, and the byte counters.
 */
final class TransformDriver {

  /**
   * How input is cut and output drained.
   *
   * @param maxInputChunk input chunks are 1..this many bytes (1 means byte by byte)
   * @param maxOutputBuffer output buffers have 1..this many bytes of room
   * @param direct direct buffers for input and output instead of heap buffers
   */
  record Chunking(int maxInputChunk, int maxOutputBuffer, boolean direct) {
    @Override
    public String toString() {
      return "in<=" + maxInputChunk + " out<=" + maxOutputBuffer + (direct ? " direct" : " heap");
    }
  }

  private final Random random;

  TransformDriver(long seed) {
    this.random = new Random(seed);
  }

  /** Runs all of {@code input} through {@code t}, closes it and returns the output. */
  byte[] run(ByteTransform t, byte[] input, Chunking chunking) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (t) {
      int offset = 0;
      while (offset < input.length) {
        int n = Math.min(input.length - offset, 1 + random.nextInt(chunking.maxInputChunk()));
        assertThat(t.needsInput()).as("needsInput() before offer at %d", offset).isTrue();
        ByteBuffer chunk = chunk(input, offset, n, chunking.direct());
        t.offer(chunk);
        offset += n;
        while (true) {
          int r = readOnce(t, chunking, out);
          if (r == 0) {
            assertThat(t.needsInput()).as("read() returned 0 with room: needs input").isTrue();
            assertThat(chunk.hasRemaining())
                .as("0 before the offered chunk was consumed")
                .isFalse();
            break;
          }
          if (r < 0) {
            fail("read() returned -1 before endOfInput()");
          }
        }
      }
      t.endOfInput();
      assertThat(t.needsInput()).as("needsInput() after endOfInput()").isFalse();
      while (true) {
        int r = readOnce(t, chunking, out);
        if (r < 0) {
          break;
        }
        assertThat(r).as("read() after endOfInput() with room must not return 0").isPositive();
      }
      assertThat(t.read(ByteBuffer.allocate(8))).as("-1 is final").isEqualTo(-1);
      assertThat(t.bytesIn()).as("bytesIn").isEqualTo(input.length);
      assertThat(t.bytesOut()).as("bytesOut").isEqualTo(out.size());
    }
    return out.toByteArray();
  }

  /** One read into a fresh buffer that starts at a random position; checks what was written. */
  private int readOnce(ByteTransform t, Chunking chunking, ByteArrayOutputStream out) {
    int room = 1 + random.nextInt(chunking.maxOutputBuffer());
    int prefix = random.nextInt(4);
    ByteBuffer dst =
        chunking.direct()
            ? ByteBuffer.allocateDirect(prefix + room)
            : ByteBuffer.allocate(prefix + room);
    dst.position(prefix);
    int r = t.read(dst);
    if (r > 0) {
      assertThat(dst.position())
          .as("position advanced by the count returned")
          .isEqualTo(prefix + r);
      dst.flip().position(prefix);
      byte[] bytes = new byte[r];
      dst.get(bytes);
      out.writeBytes(bytes);
    } else {
      assertThat(dst.position()).as("nothing written when returning " + r).isEqualTo(prefix);
    }
    return r;
  }

  /** The input bytes as a buffer the transform reads from its position: a slice of a larger one. */
  static ByteBuffer chunk(byte[] input, int offset, int length, boolean direct) {
    ByteBuffer whole =
        direct ? ByteBuffer.allocateDirect(length + 2) : ByteBuffer.allocate(length + 2);
    whole.put((byte) 0x5a).put(input, offset, length).put((byte) 0xa5);
    whole.position(1).limit(1 + length);
    return whole;
  }
}
