package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.junit.jupiter.api.Test;

/**
 * The zstd frames layout: the parallel reader and writer under the whole codec contract (sizes,
 * chunkings, truncation, corruption, trailing garbage), against a plain writer of the layout and
 * zstd-jni's stream reader, plus the layout's own cases.
 */
class ZstdFramesLayoutTest extends CodecContractTest {

  @Override
  Codec codec() {
    return Codec.ZSTD;
  }

  @Override
  ByteTransform decoder() {
    return Codecs.decoder(Codec.ZSTD, SUBJECT, ParallelLayouts.SETTINGS);
  }

  @Override
  ByteTransform encoder() {
    return Codecs.encoder(Codec.ZSTD, SUBJECT, 3, ParallelLayouts.SETTINGS);
  }

  @Override
  byte[] referenceEncode(byte[] data) {
    return ParallelLayouts.zstdFrames(data, ParallelLayouts.CHUNK, 3);
  }

  @Override
  byte[] referenceDecode(byte[] compressed) {
    return TestData.decode(compressed, ZstdInputStream::new);
  }

  @Override
  int firstCheckedByte() {
    // Magic and frame header descriptor of the first frame.
    return 5;
  }

  @Test
  void readsTheFramesInParallelNotThroughTheFallback() {
    byte[] data = TestData.mixed(1_000_000, 41);
    ByteTransform decoder = decoder();
    byte[] decoded =
        TransformDriver.run(decoder, referenceEncode(data), Plan.fixed(10_000, 8192, false));
    assertThat(decoded).isEqualTo(data);
    assertThat(((ChunkedDecoder) decoder).serial()).as("went to the serial decoder").isFalse();
  }

  @Test
  void writesFramesWithContentSizeAndChecksumThatStockReadersRead() {
    byte[] data = TestData.mixed(1_000_000, 42);
    byte[] compressed = TransformDriver.run(encoder(), data);

    int frames = 0;
    int at = 0;
    while (at < compressed.length) {
      int descriptor = compressed[at + 4] & 0xff;
      assertThat(descriptor & 0x04).as("checksum flag, frame %d", frames).isEqualTo(0x04);
      assertThat(descriptor & 0x20).as("single segment: window = content", frames).isEqualTo(0x20);
      long size =
          com.github.luben.zstd.Zstd.getFrameContentSize(compressed, at, compressed.length - at);
      assertThat(size)
          .as("content size, frame %d", frames)
          .isBetween(0L, (long) ParallelLayouts.CHUNK);
      at +=
          (int)
              com.github.luben.zstd.Zstd.findFrameCompressedSize(
                  compressed, at, compressed.length - at);
      frames++;
    }
    assertThat(frames).isEqualTo(1_000_000 / ParallelLayouts.CHUNK + 1);
    assertThat(TestData.decode(compressed, ZstdCompressorInputStream::new)).isEqualTo(data);
  }

  @Test
  void theBytesDoNotDependOnTheThreadCount() {
    byte[] data = TestData.mixed(700_000, 43);
    byte[] one =
        TransformDriver.run(
            Codecs.encoder(
                Codec.ZSTD,
                SUBJECT,
                3,
                new ParallelSettings(1, ParallelLayouts.CHUNK, 1, CodecPool.shared())),
            data);
    byte[] three =
        TransformDriver.run(
            Codecs.encoder(
                Codec.ZSTD,
                SUBJECT,
                3,
                new ParallelSettings(3, ParallelLayouts.CHUNK, 6, CodecPool.shared())),
            data);
    assertThat(three).isEqualTo(one);
  }

  @Test
  void refusesAFrameWhoseChecksumDoesNotMatch() {
    byte[] compressed = referenceEncode(TestData.mixed(200_000, 44));
    int second =
        (int) com.github.luben.zstd.Zstd.findFrameCompressedSize(compressed, 0, compressed.length);
    byte[] corrupt = compressed.clone();
    // The first frame's checksum: its last 4 bytes.
    corrupt[second - 1] ^= 0x55;

    assertThatThrownBy(() -> TransformDriver.run(decoder(), corrupt))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("frame at input byte 0")
        .hasMessageContaining("checksum");
  }

  @Test
  void aFrameWithoutContentSizeSendsTheRestToTheSerialDecoder() {
    byte[] a = TestData.mixed(300_000, 45);
    byte[] b = TestData.mixed(200_000, 46);
    byte[] stream =
        TestData.concat(
            referenceEncode(a),
            TestData.encode(b, out -> new com.github.luben.zstd.ZstdOutputStream(out, 3)),
            referenceEncode(a));

    ByteTransform decoder = decoder();
    assertThat(TransformDriver.run(decoder, stream, Plan.random(9, 30_000, 5000, false, false)))
        .isEqualTo(TestData.concat(a, b, a));
    assertThat(((ChunkedDecoder) decoder).serial()).isTrue();
  }
}
