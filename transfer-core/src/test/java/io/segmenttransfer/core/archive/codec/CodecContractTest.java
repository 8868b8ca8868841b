package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every codec's decoder and encoder must do, checked against an independent implementation of
 * the same format (the JDK, zstd-jni's streams, lz4-java's frame streams). Each codec's test
 * extends this with its reference and its format's own cases.
 */
abstract class CodecContractTest {

  static final String SUBJECT = "events__0__1__20231114T2213Z";

  abstract Codec codec();

  /** The reference implementation's encoding of {@code data}. */
  abstract byte[] referenceEncode(byte[] data);

  /** The reference implementation's decoding of {@code compressed}. */
  abstract byte[] referenceDecode(byte[] compressed);

  /**
   * The first byte of a reference stream whose corruption the format detects: header fields that no
   * checksum covers (gzip's modification time, zstd's window size) can change unnoticed.
   */
  abstract int firstCheckedByte();

  ByteTransform decoder() {
    return Codecs.decoder(codec(), SUBJECT);
  }

  ByteTransform encoder() {
    return Codecs.encoder(codec(), SUBJECT);
  }

  /** Every size with the plans it is worth running (1-byte chunks only where it stays quick). */
  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    long seed = 1;
    for (int size : TestData.SIZES) {
      List<Plan> plans = new ArrayList<>();
      plans.add(Plan.fixed(64 * 1024, 64 * 1024, false));
      plans.add(Plan.fixed(64 * 1024, 64 * 1024, true));
      plans.add(Plan.random(seed++, 20_000, 777, false, true));
      plans.add(Plan.random(seed++, 300_000, 5 * 1024 * 1024, true, false));
      plans.add(Plan.reusing(8192, 8192, (size & 1) == 0));
      if (size <= 65_543) {
        plans.add(Plan.fixed(1, 1, false));
        plans.add(Plan.fixed(1, 1, true));
        plans.add(Plan.random(seed++, 3, 2, true, false));
      } else if (size <= 1_000_000) {
        plans.add(Plan.fixed(1, 4096, false));
        plans.add(Plan.random(seed++, 50, 1, false, false));
      }
      for (Plan plan : plans) {
        cases.add(Arguments.of(size, plan));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} bytes, {1}")
  @MethodSource("io.segmenttransfer.core.archive.codec.CodecContractTest#cases")
  void decodesWhatTheReferenceEncodes(int size, Plan plan) {
    byte[] data = TestData.mixed(size, size);
    byte[] compressed = referenceEncode(data);

    byte[] decoded = TransformDriver.run(decoder(), compressed, plan);

    assertThat(decoded).isEqualTo(data);
  }

  @ParameterizedTest(name = "{0} bytes, {1}")
  @MethodSource("io.segmenttransfer.core.archive.codec.CodecContractTest#cases")
  void referenceDecodesWhatWeEncode(int size, Plan plan) {
    byte[] data = TestData.mixed(size, size + 1);

    byte[] compressed = TransformDriver.run(encoder(), data, plan);

    assertThat(referenceDecode(compressed)).isEqualTo(data);
    if (size >= 1_000_000) {
      assertThat(compressed.length).as("mixed data compresses").isLessThan(size * 9 / 10);
    }
  }

  @Test
  void concatenatedStreamsDecodeToTheConcatenation() {
    byte[] a = TestData.mixed(70_000, 1);
    byte[] b = TestData.mixed(0, 2);
    byte[] c = TestData.mixed(300_001, 3);
    byte[] stream =
        TestData.concat(
            referenceEncode(a),
            referenceEncode(b),
            referenceEncode(c),
            TransformDriver.run(encoder(), a));

    for (Plan plan :
        List.of(
            Plan.fixed(64 * 1024, 64 * 1024, false),
            Plan.random(7, 5000, 333, true, false),
            Plan.fixed(1, 1000, false))) {
      assertThat(TransformDriver.run(decoder(), stream, plan))
          .as(plan.name())
          .isEqualTo(TestData.concat(a, b, c, a));
    }
  }

  @Test
  void everyTruncationOfASmallStreamFails() {
    byte[] compressed = referenceEncode(TestData.mixed(3000, 11));
    Random random = new Random(5);
    for (int cut = 0; cut < compressed.length; cut++) {
      byte[] truncated = Arrays.copyOf(compressed, cut);
      Plan plan =
          Plan.random(
              random.nextLong(),
              1 + random.nextInt(64),
              1 + random.nextInt(512),
              random.nextBoolean(),
              random.nextBoolean());
      int at = cut;
      assertThatThrownBy(() -> TransformDriver.run(decoder(), truncated, plan))
          .as("cut at %d of %d, %s", at, compressed.length, plan)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(SUBJECT);
    }
  }

  @Test
  void truncationsOfALargeStreamFail() {
    byte[] compressed = referenceEncode(TestData.mixed(1_500_000, 12));
    Random random = new Random(6);
    for (int i = 0; i < 40; i++) {
      int cut = i == 0 ? compressed.length - 1 : random.nextInt(compressed.length);
      byte[] truncated = Arrays.copyOf(compressed, cut);
      assertThatThrownBy(
              () ->
                  TransformDriver.run(
                      decoder(), truncated, Plan.random(cut, 100_000, 70_000, true, false)))
          .as("cut at %d of %d", cut, compressed.length)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(SUBJECT)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void truncationInsideALaterStreamFails() {
    byte[] first = referenceEncode(TestData.mixed(20_000, 18));
    byte[] second = referenceEncode(TestData.mixed(200_000, 19));
    byte[] stream = TestData.concat(first, second);
    Random random = new Random(8);
    for (int i = 0; i < 30; i++) {
      int cut = first.length + 1 + random.nextInt(second.length - 1);
      byte[] truncated = Arrays.copyOf(stream, cut);
      assertThatThrownBy(
              () ->
                  TransformDriver.run(
                      decoder(), truncated, Plan.random(cut, 3000, 5000, false, true)))
          .as("cut at %d of %d (second stream from %d)", cut, stream.length, first.length)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void corruptedBytesFail() {
    byte[] compressed = referenceEncode(TestData.mixed(200_000, 13));
    Random random = new Random(7);
    for (int i = 0; i < 60; i++) {
      int at = firstCheckedByte() + random.nextInt(compressed.length - firstCheckedByte());
      byte[] corrupt = compressed.clone();
      corrupt[at] ^= (byte) (1 + random.nextInt(255));
      assertThatThrownBy(
              () ->
                  TransformDriver.run(
                      decoder(), corrupt, Plan.random(at, 10_000, 4096, false, false)))
          .as("byte %d of %d corrupted", at, compressed.length)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(SUBJECT);
    }
  }

  @Test
  void trailingGarbageFails() {
    byte[] compressed = referenceEncode(TestData.mixed(10_000, 14));
    for (byte[] garbage :
        List.of(new byte[] {0}, new byte[] {0x1f}, new byte[512], "hello world".getBytes())) {
      byte[] stream = TestData.concat(compressed, garbage);
      assertThatThrownBy(() -> TransformDriver.run(decoder(), stream))
          .as("%d bytes of garbage", garbage.length)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(SUBJECT);
    }
  }

  @Test
  void emptyInputIsNotAValidStream() {
    assertThatThrownBy(() -> TransformDriver.run(decoder(), new byte[0]))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT);
  }

  @Test
  void failuresAreStickyAndCloseStillWorks() {
    byte[] corrupt = referenceEncode(TestData.mixed(5000, 15));
    Arrays.fill(corrupt, firstCheckedByte(), corrupt.length, (byte) 0x5a);
    ByteTransform decoder = decoder();
    ByteBuffer dst = ByteBuffer.allocate(100_000);
    decoder.offer(ByteBuffer.wrap(corrupt));
    decoder.endOfInput();
    InvalidArchiveException first = null;
    try {
      while (decoder.read(dst) >= 0) {
        dst.clear();
      }
    } catch (InvalidArchiveException e) {
      first = e;
    }
    assertThat(first).as("corruption reported").isNotNull();
    assertThatThrownBy(() -> decoder.read(dst)).isInstanceOf(InvalidArchiveException.class);
    decoder.close();
    decoder.close();
  }

  @Test
  void closeMidStreamReleasesAndIsIdempotent() {
    byte[] data = TestData.mixed(2_000_000, 16);
    closeMidStream(decoder(), referenceEncode(data));
    closeMidStream(encoder(), data);
  }

  private static void closeMidStream(ByteTransform transform, byte[] input) {
    ByteBuffer dst = ByteBuffer.allocateDirect(1000);
    transform.offer(ByteBuffer.wrap(input, 0, input.length / 2));
    // Whether output comes yet depends on the codec (lz4 waits for a whole block).
    assertThat(transform.read(dst)).isNotNegative();
    transform.close();
    transform.close();
    assertThatThrownBy(() -> transform.read(dst)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> transform.offer(ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void offerBeforeTheInputIsConsumedIsRefused() {
    ByteTransform decoder = decoder();
    decoder.offer(ByteBuffer.wrap(referenceEncode(TestData.mixed(100_000, 17))));
    assertThat(decoder.needsInput()).isFalse();
    assertThatThrownBy(() -> decoder.offer(ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalStateException.class);
    decoder.close();
  }
}
