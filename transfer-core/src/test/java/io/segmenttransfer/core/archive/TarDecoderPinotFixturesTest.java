package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import io.segmenttransfer.core.archive.RecordingListener.Entry;
import io.segmenttransfer.core.archive.RecordingListener.Feed;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The real segment archives Pinot 1.5.0 built, checked against their manifest. */
class TarDecoderPinotFixturesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  static Path fixtures() {
    return PinotFixtures.directory();
  }

  @Test
  void decodesEveryPinotArchiveToTheFilesOfItsManifest() throws IOException {
    Path dir = fixtures();
    JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
    int archives = 0;
    for (JsonNode segment : manifest.get("segments")) {
      String name = segment.get("segmentName").asText();
      List<Entry> expectedFiles = new ArrayList<>();
      for (JsonNode file : segment.get("files")) {
        expectedFiles.add(
            new Entry(
                file.get("path").asText(),
                false,
                file.get("size").asLong(),
                file.get("sha256").asText()));
      }
      assertThat(expectedFiles).isNotEmpty();
      for (JsonNode archive : segment.get("archives")) {
        Path path = dir.resolve(archive.get("file").asText());
        byte[] tar;
        try (InputStream in = decompress(path)) {
          tar = in.readAllBytes();
        }
        for (Feed feed : new Feed[] {Feed.WHOLE, Feed.LARGE_RANDOM, Feed.REUSED_BUFFER}) {
          List<Entry> entries = RecordingListener.decode(tar, feed, archives);

          assertThat(entries.get(0))
              .as("%s: the segment directory comes first", path)
              .isEqualTo(Entry.dir(name));
          assertThat(entries.stream().filter(e -> !e.directory()))
              .as("%s fed %s", path, feed)
              .containsExactlyInAnyOrderElementsOf(expectedFiles);
          assertThat(entries.stream().filter(Entry::directory))
              .containsExactlyInAnyOrder(Entry.dir(name), Entry.dir(name + "/v3"));
        }
        archives++;
      }
    }
    assertThat(archives).isEqualTo(6);
  }

  private static InputStream decompress(Path archive) throws IOException {
    InputStream raw = Files.newInputStream(archive);
    String file = archive.getFileName().toString();
    if (file.endsWith(".tar.gz")) {
      return new GZIPInputStream(raw);
    }
    assertThat(file).endsWith(".tar.zst");
    return new ZstdInputStream(raw);
  }
}
