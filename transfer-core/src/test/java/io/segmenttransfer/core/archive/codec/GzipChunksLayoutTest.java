package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;

/**
 * The gzip independent-chunk layout: the parallel reader and writer under the whole codec contract
 * (sizes, chunkings, truncation, corruption, trailing garbage), against a plain writer of the
 * layout and the JDK's reader, plus the layout's own cases.
 */
class GzipChunksLayoutTest extends CodecContractTest {

  @Override
  Codec codec() {
    return Codec.GZIP;
  }

  @Override
  ByteTransform decoder() {
    return Codecs.decoder(Codec.GZIP, SUBJECT, ParallelLayouts.SETTINGS);
  }

  @Override
  ByteTransform encoder() {
    return Codecs.encoder(Codec.GZIP, SUBJECT, 6, ParallelLayouts.SETTINGS);
  }

  @Override
  byte[] referenceEncode(byte[] data) {
    return ParallelLayouts.gzipChunks(data, ParallelLayouts.CHUNK, 6);
  }

  @Override
  byte[] referenceDecode(byte[] compressed) {
    return TestData.decode(compressed, GZIPInputStream::new);
  }

  @Override
  int firstCheckedByte() {
    // The header, extra field included, is covered by no checksum (as MTIME in any gzip).
    return GzipChunkLayout.HEADER_LENGTH;
  }

  /**
   * Overrides the contract: a stream with this layout's header is one member by definition, so a
   * second member after it is refused rather than read (commons-compress, as Pinot opens gzip,
   * would ignore it silently).
   */
  @Override
  @Test
  void concatenatedStreamsDecodeToTheConcatenation() {
    byte[] a = TestData.mixed(70_000, 1);
    byte[] stream = TestData.concat(referenceEncode(a), referenceEncode(a));

    assertThatThrownBy(() -> TransformDriver.run(decoder(), stream))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("does not end the stream right before its trailer");
  }

  /** Overrides the contract: a second member is refused (above), truncated or not. */
  @Override
  @Test
  void truncationInsideALaterStreamFails() {
    byte[] first = referenceEncode(TestData.mixed(20_000, 18));
    byte[] second = referenceEncode(TestData.mixed(200_000, 19));
    byte[] stream = TestData.concat(first, second);
    for (int cut : new int[] {first.length + 1, first.length + 30, stream.length - 1}) {
      byte[] truncated = java.util.Arrays.copyOf(stream, cut);
      assertThatThrownBy(() -> TransformDriver.run(decoder(), truncated))
          .as("cut at %d of %d", cut, stream.length)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining(SUBJECT)
          .hasMessageContaining("corrupt");
    }
  }

  @Test
  void readsTheChunksInParallelNotThroughTheFallback() {
    byte[] data = TestData.mixed(1_000_000, 51);
    ByteTransform decoder = decoder();
    byte[] decoded =
        TransformDriver.run(decoder, referenceEncode(data), Plan.fixed(10_000, 8192, false));
    assertThat(decoded).isEqualTo(data);
    assertThat(((ChunkedDecoder) decoder).serial()).as("went to the serial decoder").isFalse();
  }

  @Test
  void flushMarkersInsideTheDataAreNotTakenForChunkEnds() {
    // Incompressible data is stored as is, so markers planted in it appear in the compressed bytes.
    byte[] data = new byte[900_000];
    new Random(52).nextBytes(data);
    for (int i = 1000; i + 4 < data.length; i += 9_973) {
      data[i] = 0;
      data[i + 1] = 0;
      data[i + 2] = (byte) 0xff;
      data[i + 3] = (byte) 0xff;
    }
    byte[] compressed = TransformDriver.run(encoder(), data);
    int markers = 0;
    for (int i = 0; i + 4 <= compressed.length; i++) {
      if (compressed[i] == 0
          && compressed[i + 1] == 0
          && compressed[i + 2] == -1
          && compressed[i + 3] == -1) {
        markers++;
      }
    }
    assertThat(markers).as("planted markers survive in stored blocks").isGreaterThan(80);

    for (Plan plan :
        List.of(Plan.fixed(64 * 1024, 64 * 1024, false), Plan.random(53, 3000, 777, true, false))) {
      ByteTransform decoder = decoder();
      assertThat(TransformDriver.run(decoder, compressed, plan)).as(plan.name()).isEqualTo(data);
      assertThat(((ChunkedDecoder) decoder).serial()).isFalse();
    }
  }

  @Test
  void writesOneMemberThatStockReadersReadWhole() throws Exception {
    byte[] data = TestData.mixed(1_000_000, 54);
    byte[] compressed = TransformDriver.run(encoder(), data);

    // commons-compress stops after the first member by default, as Pinot opens archives.
    assertThat(TestData.decode(compressed, GzipCompressorInputStream::new)).isEqualTo(data);
    assertThat(GzipChunkLayout.chunkSize(java.util.Arrays.copyOf(compressed, 21)))
        .isEqualTo(ParallelLayouts.CHUNK);
  }

  @Test
  void theBytesDoNotDependOnTheThreadCount() {
    byte[] data = TestData.mixed(700_000, 55);
    byte[] one =
        TransformDriver.run(
            Codecs.encoder(
                Codec.GZIP,
                SUBJECT,
                6,
                new ParallelSettings(1, ParallelLayouts.CHUNK, 1, CodecPool.shared())),
            data);
    byte[] three =
        TransformDriver.run(
            Codecs.encoder(
                Codec.GZIP,
                SUBJECT,
                6,
                new ParallelSettings(3, ParallelLayouts.CHUNK, 6, CodecPool.shared())),
            data);
    assertThat(three).isEqualTo(one);
  }

  @Test
  void refusesAWrongCrcOrLength() {
    byte[] compressed = referenceEncode(TestData.mixed(300_000, 56));
    byte[] badCrc = compressed.clone();
    badCrc[compressed.length - 8] ^= 1;
    byte[] badLength = compressed.clone();
    badLength[compressed.length - 4] ^= 1;

    assertThatThrownBy(() -> TransformDriver.run(decoder(), badCrc))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("CRC-32 mismatch");
    assertThatThrownBy(() -> TransformDriver.run(decoder(), badLength))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("length mismatch");
  }

  @Test
  void refusesAChunkThatIsNotTheDeclaredSize() {
    // Written with chunks of twice the size the header declares.
    byte[] compressed =
        ParallelLayouts.gzipChunks(TestData.mixed(600_000, 57), 2 * ParallelLayouts.CHUNK, 6);
    compressed[17] = (byte) (ParallelLayouts.CHUNK & 0xff);
    compressed[18] = (byte) (ParallelLayouts.CHUNK >>> 8 & 0xff);
    compressed[19] = (byte) (ParallelLayouts.CHUNK >>> 16 & 0xff);

    assertThatThrownBy(() -> TransformDriver.run(decoder(), compressed))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("corrupt gzip stream");
  }

  @Test
  void crcCombineMatchesTheCrcOfTheWhole() {
    byte[] data = TestData.mixed(300_000, 58);
    Random random = new Random(59);
    for (int i = 0; i < 50; i++) {
      int cut = random.nextInt(data.length + 1);
      java.util.zip.CRC32 a = new java.util.zip.CRC32();
      a.update(data, 0, cut);
      java.util.zip.CRC32 b = new java.util.zip.CRC32();
      b.update(data, cut, data.length - cut);
      java.util.zip.CRC32 whole = new java.util.zip.CRC32();
      whole.update(data);
      assertThat(Crc32Combine.combine((int) a.getValue(), (int) b.getValue(), data.length - cut))
          .as("cut at %d", cut)
          .isEqualTo((int) whole.getValue());
    }
  }
}
