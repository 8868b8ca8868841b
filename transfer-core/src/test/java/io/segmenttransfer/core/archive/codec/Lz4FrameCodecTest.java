package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.util.List;
import java.util.Random;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE;
import net.jpountz.lz4.LZ4FrameOutputStream.FLG.Bits;
import net.jpountz.xxhash.XXHashFactory;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream.BlockSize;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream.Parameters;
import org.junit.jupiter.api.Test;

class Lz4FrameCodecTest extends CodecContractTest {

  private static final List<Plan> PLANS =
      List.of(
          Plan.fixed(64 * 1024, 64 * 1024, false),
          Plan.fixed(1, 1, false),
          Plan.random(8, 3000, 5 * 1024 * 1024, true, false),
          Plan.random(9, 70_000, 100, false, true));

  @Override
  Codec codec() {
    return Codec.LZ4;
  }

  @Override
  byte[] referenceEncode(byte[] data) {
    return TestData.encode(
        data,
        out ->
            new LZ4FrameOutputStream(
                out, BLOCKSIZE.SIZE_4MB, Bits.BLOCK_INDEPENDENCE, Bits.CONTENT_CHECKSUM));
  }

  @Override
  byte[] referenceDecode(byte[] compressed) {
    return TestData.decode(compressed, LZ4FrameInputStream::new);
  }

  @Override
  int firstCheckedByte() {
    // The descriptor is covered by its header checksum.
    return 0;
  }

  @Test
  void decodesEveryBlockSizeAndChecksumCombination() {
    byte[] data = TestData.mixed(600_000, 41);
    for (BLOCKSIZE size : BLOCKSIZE.values()) {
      for (Bits[] bits :
          List.of(
              new Bits[] {Bits.BLOCK_INDEPENDENCE},
              new Bits[] {Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM},
              new Bits[] {
                Bits.BLOCK_INDEPENDENCE,
                Bits.BLOCK_CHECKSUM,
                Bits.CONTENT_CHECKSUM,
                Bits.CONTENT_SIZE
              })) {
        boolean withSize = List.of(bits).contains(Bits.CONTENT_SIZE);
        byte[] compressed =
            TestData.encode(
                data,
                out ->
                    withSize
                        ? new LZ4FrameOutputStream(out, size, data.length, bits)
                        : new LZ4FrameOutputStream(out, size, bits));
        for (Plan plan : PLANS.subList(0, 3)) {
          assertThat(TransformDriver.run(decoder(), compressed, plan))
              .as("%s %s %s", size, List.of(bits), plan)
              .isEqualTo(data);
        }
      }
    }
  }

  @Test
  void decodesCommonsCompressFramesAsPinotWritesThem() {
    // commons-compress's pure-Java compressor is slow (seconds per 100 KB of this data).
    byte[] data = TestData.mixed(150_000, 42);
    for (Parameters parameters :
        List.of(Parameters.DEFAULT, new Parameters(BlockSize.K64, true, true, false))) {
      byte[] compressed =
          TestData.encode(data, out -> new FramedLZ4CompressorOutputStream(out, parameters));
      for (Plan plan : List.of(PLANS.get(0), PLANS.get(2))) {
        assertThat(TransformDriver.run(decoder(), compressed, plan))
            .as("%s %s", parameters, plan)
            .isEqualTo(data);
      }
    }
  }

  @Test
  void refusesLinkedBlocksClearly() {
    byte[] data = TestData.mixed(100_000, 43);
    byte[] compressed =
        TestData.encode(
            data,
            out ->
                new FramedLZ4CompressorOutputStream(
                    out, new Parameters(BlockSize.K64, true, false, true)));

    assertThatThrownBy(() -> TransformDriver.run(decoder(), compressed))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("linked blocks");
  }

  @Test
  void skipsSkippableFrames() {
    byte[] a = TestData.mixed(50_000, 44);
    byte[] skippable =
        TestData.concat(new byte[] {0x5f, 0x2a, 0x4d, 0x18, 3, 0, 0, 0}, "abc".getBytes());
    byte[] empty = {0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0};
    byte[] stream =
        TestData.concat(
            skippable, referenceEncode(a), empty, skippable, referenceEncode(a), skippable);

    for (Plan plan : PLANS) {
      assertThat(TransformDriver.run(decoder(), stream, plan))
          .as(plan.name())
          .isEqualTo(TestData.concat(a, a));
    }
  }

  @Test
  void refusesAWrongContentSize() {
    byte[] data = TestData.mixed(10_000, 45);
    byte[] compressed =
        TestData.encode(
            data,
            out ->
                new LZ4FrameOutputStream(
                    out,
                    BLOCKSIZE.SIZE_64KB,
                    data.length,
                    Bits.BLOCK_INDEPENDENCE,
                    Bits.CONTENT_SIZE));
    // Magic (4), FLG, BD, content size (8 bytes at 6), header checksum at 14.
    compressed[6]++;
    compressed[14] =
        (byte) (XXHashFactory.fastestInstance().hash32().hash(compressed, 4, 10, 0) >>> 8);

    assertThatThrownBy(() -> TransformDriver.run(decoder(), compressed))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("content size");
  }

  @Test
  void refusesAWrongBlockChecksum() {
    byte[] data = TestData.mixed(10_000, 46);
    byte[] compressed =
        TestData.encode(
            data,
            out ->
                new LZ4FrameOutputStream(
                    out, BLOCKSIZE.SIZE_64KB, Bits.BLOCK_INDEPENDENCE, Bits.BLOCK_CHECKSUM));
    // Header (7 bytes), block size (4), block, block checksum, end mark (4): the checksum's last
    // byte.
    compressed[compressed.length - 5] ^= 1;

    assertThatThrownBy(() -> TransformDriver.run(decoder(), compressed))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("block checksum mismatch");
  }

  @Test
  void refusesTheLegacyFormat() {
    byte[] legacy = {0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0};
    assertThatThrownBy(() -> TransformDriver.run(decoder(), legacy))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("legacy");
  }

  @Test
  void ourEncoderStoresIncompressibleBlocksAndOthersReadThem() throws Exception {
    byte[] noise = new byte[Lz4FrameEncoder.BLOCK_SIZE + 1000];
    new Random(47).nextBytes(noise);

    byte[] compressed = TransformDriver.run(encoder(), noise);

    assertThat(compressed[7 + 3] & 0x80).as("first block stored uncompressed").isEqualTo(0x80);
    assertThat(referenceDecode(compressed)).isEqualTo(noise);
    assertThat(TestData.decode(compressed, FramedLZ4CompressorInputStream::new)).isEqualTo(noise);
    assertThat(TransformDriver.run(decoder(), compressed, PLANS.get(3))).isEqualTo(noise);
  }

  @Test
  void commonsCompressReadsOurOutputAtSeveralLevels() {
    byte[] data = TestData.mixed(3_000_000, 48);
    for (int level : new int[] {0, 1, 9}) {
      byte[] compressed = TransformDriver.run(Codecs.encoder(Codec.LZ4, SUBJECT, level), data);
      assertThat(TestData.decode(compressed, FramedLZ4CompressorInputStream::new))
          .as("level %d", level)
          .isEqualTo(data);
    }
    assertThatThrownBy(() -> Codecs.encoder(Codec.LZ4, SUBJECT, 18))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
