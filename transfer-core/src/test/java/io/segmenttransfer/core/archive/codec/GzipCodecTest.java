package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.junit.jupiter.api.Test;

class GzipCodecTest extends CodecContractTest {

  private static final List<Plan> PLANS =
      List.of(
          Plan.fixed(64 * 1024, 64 * 1024, false),
          Plan.fixed(1, 1, false),
          Plan.fixed(1, 1, true),
          Plan.random(3, 17, 5, false, true));

  @Override
  Codec codec() {
    return Codec.GZIP;
  }

  @Override
  byte[] referenceEncode(byte[] data) {
    return TestData.encode(data, GZIPOutputStream::new);
  }

  @Override
  byte[] referenceDecode(byte[] compressed) {
    return TestData.decode(compressed, GZIPInputStream::new);
  }

  @Override
  int firstCheckedByte() {
    // MTIME, XFL and OS (bytes 4 to 9) are covered by no checksum.
    return 10;
  }

  @Test
  void decodesCommonsCompressOutputWithNameCommentAndHeaderCrc() {
    byte[] data = TestData.mixed(150_000, 21);
    GzipParameters parameters = new GzipParameters();
    parameters.setFileName("events_1700000000000_1700003600000_0.tar");
    parameters.setComment("segment archive written by Pinot's commons-compress");
    parameters.setHeaderCRC(true);
    parameters.setModificationTime(1_700_000_000_000L);
    parameters.setCompressionLevel(9);
    byte[] compressed =
        TestData.encode(data, out -> new GzipCompressorOutputStream(out, parameters));
    assertThat(compressed[3] & 0x1a).as("FNAME, FCOMMENT and FHCRC set").isEqualTo(0x1a);

    for (Plan plan : PLANS) {
      assertThat(TransformDriver.run(decoder(), compressed, plan)).as(plan.name()).isEqualTo(data);
    }
  }

  @Test
  void decodesEveryOptionalHeaderField() {
    byte[] data = TestData.mixed(40_000, 22);
    byte[] compressed = withHeader(referenceEncode(data), 0x01 | 0x02 | 0x04 | 0x08 | 0x10, true);

    for (Plan plan : PLANS) {
      assertThat(TransformDriver.run(decoder(), compressed, plan)).as(plan.name()).isEqualTo(data);
    }
    assertThat(referenceDecode(compressed)).as("the crafted stream is valid gzip").isEqualTo(data);
  }

  @Test
  void refusesAWrongHeaderCrc() {
    byte[] compressed = withHeader(referenceEncode(TestData.mixed(1000, 23)), 0x02 | 0x08, false);

    assertThatThrownBy(() -> TransformDriver.run(decoder(), compressed, Plan.fixed(1, 1, false)))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("header CRC");
  }

  @Test
  void decodesAllMembersOfAMultiMemberStream() {
    byte[] a = TestData.mixed(100_000, 24);
    byte[] b = TestData.mixed(1, 25);
    byte[] c = TestData.mixed(0, 26);
    byte[] stream =
        TestData.concat(
            referenceEncode(a), referenceEncode(b), referenceEncode(c), referenceEncode(a));
    byte[] expected = TestData.concat(a, b, c, a);
    assertThat(referenceDecode(stream)).isEqualTo(expected);

    for (Plan plan : PLANS) {
      assertThat(TransformDriver.run(decoder(), stream, plan)).as(plan.name()).isEqualTo(expected);
    }
  }

  @Test
  void refusesBytesAfterTheLastMember() {
    byte[] stream =
        TestData.concat(referenceEncode(TestData.mixed(5000, 27)), new byte[] {0, 0, 0, 0});

    assertThatThrownBy(() -> TransformDriver.run(decoder(), stream))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("unexpected bytes after gzip member 1");
  }

  @Test
  void refusesBadMagicMethodAndReservedFlags() {
    byte[] good = referenceEncode(TestData.mixed(1000, 28));
    assertRefused(patch(good, 0, 0x1e), "not a gzip stream");
    assertRefused(patch(good, 1, 0x8c), "not a gzip stream");
    assertRefused(patch(good, 2, 7), "compression method 7");
    assertRefused(patch(good, 3, 0x20), "reserved flag");
  }

  @Test
  void refusesAWrongTrailer() {
    byte[] good = referenceEncode(TestData.mixed(1000, 29));
    assertRefused(patch(good, good.length - 8, good[good.length - 8] ^ 1), "CRC mismatch");
    assertRefused(patch(good, good.length - 4, good[good.length - 4] ^ 1), "size mismatch");
  }

  @Test
  void otherDecodersReadOurOutputAtEveryLevel() throws Exception {
    byte[] data = TestData.mixed(300_000, 30);
    for (int level = 0; level <= 9; level++) {
      byte[] compressed = TransformDriver.run(Codecs.encoder(Codec.GZIP, SUBJECT, level), data);
      assertThat(referenceDecode(compressed)).as("level %d", level).isEqualTo(data);
      assertThat(TestData.decode(compressed, GzipCompressorInputStream::new))
          .as("level %d", level)
          .isEqualTo(data);
    }
    assertThatThrownBy(() -> Codecs.encoder(Codec.GZIP, SUBJECT, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void assertRefused(byte[] stream, String message) {
    assertThatThrownBy(() -> TransformDriver.run(decoder(), stream))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining(message);
  }

  private static byte[] patch(byte[] stream, int at, int value) {
    byte[] copy = stream.clone();
    copy[at] = (byte) value;
    return copy;
  }

  /**
   * Replaces the 10-byte header of a JDK gzip stream by one with the given flags: an extra field, a
   * name, a comment and a header CRC (correct or not) as the flags say.
   */
  private static byte[] withHeader(byte[] jdkStream, int flags, boolean correctCrc) {
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    header.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
    if ((flags & 0x04) != 0) {
      byte[] extra = new byte[300];
      Arrays.fill(extra, (byte) 0x1f);
      header.write(extra.length);
      header.write(extra.length >>> 8);
      header.writeBytes(extra);
    }
    if ((flags & 0x08) != 0) {
      header.writeBytes("segment.tar\0".getBytes(StandardCharsets.ISO_8859_1));
    }
    if ((flags & 0x10) != 0) {
      header.writeBytes("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
    }
    if ((flags & 0x02) != 0) {
      CRC32 crc = new CRC32();
      crc.update(header.toByteArray());
      int value = (int) crc.getValue() ^ (correctCrc ? 0 : 1);
      header.write(value);
      header.write(value >>> 8);
    }
    return TestData.concat(
        header.toByteArray(), Arrays.copyOfRange(jdkStream, 10, jdkStream.length));
  }
}
