package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.stream.PassThroughTransform;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class CodecsTest {

  @Test
  void everyCodecRoundTripsThroughItsOwnEncoderAndIsSniffedBack() {
    byte[] data = TestData.mixed(1_200_000, 51);
    for (Codec codec : Codec.values()) {
      byte[] encoded = TransformDriver.run(codec.newEncoder("rt"), data);
      if (codec != Codec.NONE) {
        assertThat(Codec.sniff(ByteBuffer.wrap(encoded), true, "rt")).isEqualTo(codec);
      }
      assertThat(TransformDriver.run(codec.newDecoder("rt"), encoded))
          .as(codec.name())
          .isEqualTo(data);
    }
  }

  @Test
  void codecsAreNamedByNameOrExtensionInAnyCase() {
    assertThat(Codec.named("zstd")).contains(Codec.ZSTD);
    assertThat(Codec.named(" ZST ")).contains(Codec.ZSTD);
    assertThat(Codec.named("tar.zst")).contains(Codec.ZSTD);
    assertThat(Codec.named("Gzip")).contains(Codec.GZIP);
    assertThat(Codec.named("gz")).contains(Codec.GZIP);
    assertThat(Codec.named("tar.lz4")).contains(Codec.LZ4);
    assertThat(Codec.named("none")).contains(Codec.NONE);
    assertThat(Codec.named("tar")).contains(Codec.NONE);
    assertThat(Codec.named("rar")).isEmpty();
    assertThat(Codec.named("")).isEmpty();
    assertThat(Codec.named("tar.tar")).isEmpty();
  }

  @Test
  void noneIsThePassThrough() {
    assertThat(Codecs.decoder(Codec.NONE, "s")).isInstanceOf(PassThroughTransform.class);
    assertThat(Codecs.encoder(Codec.NONE, "s", 99)).isInstanceOf(PassThroughTransform.class);
  }

  @Test
  void levelsOutOfRangeAreRefused() {
    assertThatThrownBy(() -> Codecs.encoder(Codec.GZIP, "s", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GZIP compression level -1");
    assertThatThrownBy(() -> Codecs.encoder(Codec.LZ4, "s", -1))
        .isInstanceOf(IllegalArgumentException.class);
    Codecs.encoder(Codec.ZSTD, "s", 22).close();
    Codecs.encoder(Codec.LZ4, "s", 17).close();
    Codecs.encoder(Codec.GZIP, "s", 0).close();
  }
}
