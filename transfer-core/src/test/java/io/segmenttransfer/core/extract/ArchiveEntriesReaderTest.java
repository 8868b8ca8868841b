package io.segmenttransfer.core.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SmallFileCollector;
import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Entries read out of streaming archive bytes with the pipeline's decoder, limits and checks,
 * nothing written.
 */
class ArchiveEntriesReaderTest {

  private static final byte[] METADATA =
      "segment.name = seg_0\nsegment.total.docs = 7\n".getBytes(StandardCharsets.UTF_8);

  private static Map<String, byte[]> segment() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("v3/metadata.properties", METADATA);
    files.put(
        "v3/columns.psf",
        TestArchives.randomSegment(new Random(7), 1, 300_000).values().iterator().next());
    files.put("v3/index_map", "a.b = 1\n".repeat(20_000).getBytes(StandardCharsets.UTF_8));
    return TestArchives.segmentFiles(files);
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void keepsTheSelectedFilesAndLeavesTheChunksAsTheyWere(Codec codec) {
    Map<String, byte[]> files = segment();
    byte[] archive = TestArchives.archive(codec, "seg_0", files);
    SmallFileCollector kept =
        new SmallFileCollector("test", p -> p.endsWith(".properties") || p.endsWith(".meta"), 1024);
    List<String> seen = new java.util.ArrayList<>();
    try (ArchiveEntriesReader reader =
        new ArchiveEntriesReader("test", ArchiveLimits.defaults(), new Tee(kept, seen))) {
      for (ByteBuffer chunk :
          TestArchives.randomChunks(archive, new Random(1), 5000).toIterable()) {
        int position = chunk.position();
        int limit = chunk.limit();
        reader.accept(chunk);
        assertThat(chunk.position()).isEqualTo(position);
        assertThat(chunk.limit()).isEqualTo(limit);
        if (reader.archiveBytes() >= Codec.SNIFF_BYTES) {
          assertThat(reader.codec()).isEqualTo(codec);
        }
      }
      reader.finish();

      assertThat(reader.topDirectory()).isEqualTo("seg_0");

      assertThat(reader.archiveBytes()).isEqualTo(archive.length);
      assertThat(kept.files().keySet())
          .containsExactlyInAnyOrder("seg_0/v3/metadata.properties", "seg_0/v3/creation.meta");
      assertThat(kept.files().get("seg_0/v3/metadata.properties")).isEqualTo(METADATA);
      assertThat(kept.files().get("seg_0/v3/creation.meta"))
          .isEqualTo(files.get("v3/" + CreationMeta.FILE_NAME));
      assertThat(seen).contains("seg_0", "seg_0/v3", "seg_0/v3/columns.psf", "seg_0/v3/index_map");
    }
  }

  @Test
  void aBombStopsAtTheUncompressedLimit() {
    byte[] bomb =
        TestArchives.archive(
            Codec.ZSTD,
            "seg_0",
            TestArchives.segmentFiles(Map.of("v3/columns.psf", new byte[32 << 20])));
    ArchiveEntriesReader reader =
        new ArchiveEntriesReader(
            "bomb",
            ArchiveLimits.defaults().withMaxUncompressedBytes(1 << 20),
            new SmallFileCollector("bomb", p -> false, 0));

    assertThatThrownBy(
            () -> {
              reader.accept(ByteBuffer.wrap(bomb));
              reader.finish();
            })
        .isInstanceOf(ArchiveLimitExceededException.class)
        .hasMessageContaining(Integer.toString(1 << 20));
    reader.close();
  }

  @Test
  void aBombStopsAtTheCompressionRatio() {
    byte[] bomb =
        TestArchives.archive(
            Codec.GZIP,
            "seg_0",
            TestArchives.segmentFiles(Map.of("v3/columns.psf", new byte[16 << 20])));
    ArchiveEntriesReader reader =
        new ArchiveEntriesReader(
            "bomb",
            ArchiveLimits.defaults().withMaxCompressionRatio(50, 0),
            new SmallFileCollector("bomb", p -> false, 0));

    assertThatThrownBy(
            () -> {
              for (int i = 0; i < bomb.length; i += 1000) {
                reader.accept(ByteBuffer.wrap(bomb, i, Math.min(1000, bomb.length - i)));
              }
              reader.finish();
            })
        .isInstanceOf(ArchiveLimitExceededException.class)
        .hasMessageContaining("compression ratio");
    reader.close();
  }

  @Test
  void tooManyEntriesAreRefused() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) {
      files.put("f" + i, new byte[] {(byte) i});
    }
    byte[] archive = TestArchives.archive(Codec.GZIP, "seg_0", TestArchives.segmentFiles(files));
    ArchiveEntriesReader reader =
        new ArchiveEntriesReader(
            "many",
            ArchiveLimits.defaults().withMaxEntries(10),
            new SmallFileCollector("many", p -> false, 0));

    assertThatThrownBy(
            () -> {
              reader.accept(ByteBuffer.wrap(archive));
              reader.finish();
            })
        .isInstanceOf(ArchiveLimitExceededException.class);
  }

  @Test
  void entriesEscapingTheSegmentDirectoryAreRefused() {
    for (String evil : List.of("../x", "seg_0/../../x", "seg_0/v3/../../../x")) {
      byte[] archive =
          TestArchives.compress(
              Codec.GZIP,
              TestArchives.tar(
                  out -> {
                    try {
                      TestArchives.putDirectory(out, "seg_0/");
                      TestArchives.putFile(out, evil, new byte[] {1});
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }));
      ArchiveEntriesReader reader =
          new ArchiveEntriesReader(
              "evil", ArchiveLimits.defaults(), new SmallFileCollector("evil", p -> true, 10));
      assertThatThrownBy(
              () -> {
                reader.accept(ByteBuffer.wrap(archive));
                reader.finish();
              })
          .as(evil)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageContaining("escapes");
    }
  }

  @Test
  void aTruncatedArchiveFailsAtTheEnd() {
    byte[] archive = TestArchives.archive(Codec.ZSTD, "seg_0", segment());
    ArchiveEntriesReader reader =
        new ArchiveEntriesReader(
            "cut", ArchiveLimits.defaults(), new SmallFileCollector("cut", p -> false, 0));

    reader.accept(ByteBuffer.wrap(Arrays.copyOf(archive, archive.length / 2)));
    assertThatThrownBy(reader::finish).isInstanceOf(InvalidArchiveException.class);
  }

  @Test
  void aSelectedFileOverTheCapIsRefused() {
    byte[] archive = TestArchives.archive(Codec.GZIP, "seg_0", segment());
    ArchiveEntriesReader reader =
        new ArchiveEntriesReader(
            "big",
            ArchiveLimits.defaults(),
            new SmallFileCollector("big", p -> p.endsWith("index_map"), 1000));

    assertThatThrownBy(
            () -> {
              reader.accept(ByteBuffer.wrap(archive));
              reader.finish();
            })
        .isInstanceOf(ArchiveLimitExceededException.class)
        .hasMessageContaining("index_map");
  }

  /** Passes entries to the collector and records their paths. */
  private record Tee(SmallFileCollector collector, List<String> paths)
      implements io.segmenttransfer.core.archive.TarEntryListener {
    @Override
    public void directory(String path) {
      paths.add(path);
      collector.directory(path);
    }

    @Override
    public void fileStart(String path, long size) {
      paths.add(path);
      collector.fileStart(path, size);
    }

    @Override
    public void fileData(ByteBuffer data) {
      collector.fileData(data);
    }

    @Override
    public void fileEnd() {
      collector.fileEnd();
    }
  }
}
