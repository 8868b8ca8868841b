package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.TransformDriver.Plan;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real segment archives written by Apache Pinot 1.5.0 decode exactly as the reference decoders do.
 */
class PinotFixturesTest {

  private static final List<Plan> PLANS =
      List.of(
          Plan.fixed(64 * 1024, 64 * 1024, true),
          Plan.random(1, 16 * 1024, 8 * 1024, false, false),
          Plan.fixed(1, 512, false));

  static Path fixtures() {
    return PinotFixtures.directory();
  }

  static Stream<Path> archives() throws IOException {
    try (Stream<Path> files = Files.list(fixtures())) {
      List<Path> archives =
          files
              .filter(p -> p.getFileName().toString().matches(".*\\.tar\\.(gz|zst)"))
              .sorted()
              .toList();
      assertThat(archives).as("Pinot fixture archives").hasSize(6);
      return archives.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("archives")
  void decodesByteIdenticalToTheReferenceDecoder(Path archive) throws IOException {
    byte[] compressed = Files.readAllBytes(archive);
    Codec codec = Codec.sniff(ByteBuffer.wrap(compressed), true, archive.toString());
    byte[] reference =
        codec == Codec.GZIP
            ? TestData.decode(compressed, GZIPInputStream::new)
            : TestData.decode(compressed, ZstdInputStream::new);
    assertThat(codec).isIn(Codec.GZIP, Codec.ZSTD);
    assertThat(archive.getFileName().toString()).endsWith(codec.extension());

    for (Plan plan : PLANS) {
      byte[] decoded =
          TransformDriver.run(codec.newDecoder(archive.getFileName().toString()), compressed, plan);
      assertThat(sha256(decoded)).as(plan.name()).isEqualTo(sha256(reference));
      assertThat(Codec.sniff(ByteBuffer.wrap(decoded), true, "tar"))
          .as("a tar archive")
          .isEqualTo(Codec.NONE);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
