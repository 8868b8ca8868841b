package io.segmenttransfer.core.archive.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Deterministic test inputs of mixed compressibility, and stream helpers for the reference codecs.
 */
final class TestData {

  /** Sizes every round trip covers: empty, one byte, small, around block sizes, several MiB. */
  static final int[] SIZES = {0, 1, 100, 65_536 + 7, 1_000_000, 5 * 1024 * 1024 + 123};

  private TestData() {}

  /**
   * {@code size} bytes alternating runs of random bytes (incompressible), text (compresses well),
   * zeros (compresses extremely well) and small integers (like a column), so every codec meets
   * stored, compressed and long-match blocks.
   */
  static byte[] mixed(int size, long seed) {
    Random random = new Random(seed);
    byte[] data = new byte[size];
    byte[] text =
        ("segment events_1700000000000 column userId dictionary forward index "
                + "inverted index star-tree metadata.properties creation.meta ")
            .getBytes(StandardCharsets.US_ASCII);
    int i = 0;
    while (i < size) {
      int run = Math.min(size - i, 1 + random.nextInt(200_000));
      switch (random.nextInt(4)) {
        case 0 -> {
          byte[] noise = new byte[run];
          random.nextBytes(noise);
          System.arraycopy(noise, 0, data, i, run);
        }
        case 1 -> {
          for (int k = 0; k < run; k++) {
            data[i + k] = text[(k + random.nextInt(2)) % text.length];
          }
        }
        case 2 -> {}
        default -> {
          for (int k = 0; k < run; k++) {
            data[i + k] = (byte) random.nextInt(16);
          }
        }
      }
      i += run;
    }
    return data;
  }

  interface Encoder {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  interface Decoder {
    InputStream wrap(InputStream in) throws IOException;
  }

  static byte[] encode(byte[] data, Encoder encoder) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = encoder.wrap(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] decode(byte[] data, Decoder decoder) {
    try (InputStream in = decoder.wrap(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
