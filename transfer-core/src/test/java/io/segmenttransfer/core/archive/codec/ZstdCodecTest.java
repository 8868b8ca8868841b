package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.util.List;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.Test;

class ZstdCodecTest extends CodecContractTest {

  @Override
  Codec codec() {
    return Codec.ZSTD;
  }

  @Override
  byte[] referenceEncode(byte[] data) {
    return TestData.encode(data, out -> new ZstdOutputStream(out, 3).setChecksum(true));
  }

  @Override
  byte[] referenceDecode(byte[] compressed) {
    return TestData.decode(compressed, ZstdInputStream::new);
  }

  @Override
  int firstCheckedByte() {
    // Magic, frame header descriptor and window descriptor: a larger window still decodes.
    return 6;
  }

  @Test
  void skipsSkippableFrames() {
    byte[] a = TestData.mixed(50_000, 31);
    byte[] b = TestData.mixed(70_000, 32);
    byte[] skippable =
        TestData.concat(new byte[] {0x53, 0x2a, 0x4d, 0x18, 5, 0, 0, 0}, "12345".getBytes());
    byte[] stream =
        TestData.concat(skippable, referenceEncode(a), skippable, referenceEncode(b), skippable);

    for (Plan plan : List.of(Plan.fixed(64 * 1024, 64 * 1024, true), Plan.fixed(1, 1, false))) {
      assertThat(TransformDriver.run(decoder(), stream, plan))
          .as(plan.name())
          .isEqualTo(TestData.concat(a, b));
    }
  }

  @Test
  void decodesOneShotFramesWithAContentSize() {
    byte[] a = TestData.mixed(200_000, 33);
    byte[] b = TestData.mixed(1, 34);
    byte[] stream = TestData.concat(Zstd.compress(a, 19), Zstd.compress(b, 1));

    assertThat(TransformDriver.run(decoder(), stream, Plan.random(3, 4000, 1000, false, true)))
        .isEqualTo(TestData.concat(a, b));
  }

  @Test
  void refusesAFrameShorterThanItsDeclaredContentSize() {
    byte[] data = TestData.mixed(1000, 35);
    byte[] frame = Zstd.compress(data, 3);
    // Frame header descriptor 0x20 (single segment, 1-byte content size) or 0x60 (2-byte size).
    assertThat(frame[4] & 0x20).as("single segment frame").isEqualTo(0x20);
    byte[] lying = frame.clone();
    lying[5] = (byte) (lying[5] + 1);

    assertThatThrownBy(() -> TransformDriver.run(decoder(), lying))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("corrupt zstd stream");
  }

  @Test
  void otherDecodersReadOurOutputAtSeveralLevels() {
    byte[] data = TestData.mixed(400_000, 36);
    for (int level : new int[] {-5, 1, 3, 9, 19}) {
      byte[] compressed = TransformDriver.run(Codecs.encoder(Codec.ZSTD, SUBJECT, level), data);
      assertThat(referenceDecode(compressed)).as("level %d", level).isEqualTo(data);
      assertThat(TestData.decode(compressed, ZstdCompressorInputStream::new))
          .as("level %d", level)
          .isEqualTo(data);
    }
    assertThatThrownBy(() -> Codecs.encoder(Codec.ZSTD, SUBJECT, Zstd.maxCompressionLevel() + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ourFramesCarryAChecksum() {
    byte[] compressed = TransformDriver.run(encoder(), TestData.mixed(10_000, 37));
    assertThat(compressed[4] & 0x04).as("Content_Checksum_flag").isEqualTo(0x04);
  }
}
