package io.segmenttransfer.server.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentCrc;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

class SampleSegmentsTest {

  @TempDir Path dir;

  /** A file's part of the segment CRC, for the project's own combining implementation. */
  record Checksum(String path, long size, long adler32) implements SegmentCrc.FileChecksum {}

  @Test
  void writesPinotV3SegmentsWhoseCreationMetaHoldsTheSegmentCrc() throws Exception {
    var scheduler = Schedulers.newBoundedElastic(2, 100, "sample-test");
    try {
      List<SampleSegment> samples =
          SampleSegments.write(
                  dir,
                  new TableNameWithType("clicks", TableNameWithType.TableType.OFFLINE),
                  2,
                  1_000_000,
                  scheduler)
              .collectList()
              .block(Duration.ofSeconds(30));

      assertThat(samples).hasSize(2);
      for (SampleSegment sample : samples) {
        Path v3 = sample.directory().resolve("v3");
        try (Stream<Path> files = Files.list(v3)) {
          assertThat(files.map(p -> p.getFileName().toString()))
              .containsExactlyInAnyOrder(
                  "columns.psf", "index_map", "metadata.properties", "creation.meta");
        }
        byte[] meta = Files.readAllBytes(v3.resolve(CreationMeta.FILE_NAME));
        assertThat(meta).hasSize(24);
        CreationMeta creationMeta = CreationMeta.parse(meta, meta.length);
        // The writer keeps one running Adler-32; the project combines per-file ones: they must
        // agree.
        long combined =
            SegmentCrc.of(
                Stream.of("v3/metadata.properties", "v3/index_map", "v3/columns.psf")
                    .map(path -> checksum(sample.directory(), path))
                    .toList());
        assertThat(creationMeta.crc()).isEqualTo(combined).isEqualTo(sample.crc());
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(v3.resolve("metadata.properties"))) {
          properties.load(reader);
        }
        assertThat(properties.getProperty("segment.name"))
            .isEqualTo(sample.segment().segmentName());
        assertThat(properties.getProperty("segment.index.version")).isEqualTo("v3");
        assertThat(sample.bytes()).isBetween(900_000L, 1_100_000L);
        assertThat((double) sample.bytes() / sample.archiveBytes())
            .as("compresses like a real segment")
            .isBetween(1.5, 4.0);
      }
      assertThat(samples.get(0).crc()).isNotEqualTo(samples.get(1).crc());
    } finally {
      scheduler.dispose();
    }
  }

  private static Checksum checksum(Path segmentDir, String path) {
    try {
      byte[] bytes = Files.readAllBytes(segmentDir.resolve(path));
      Adler32 adler = new Adler32();
      adler.update(bytes);
      return new Checksum(path, bytes.length, adler.getValue());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
