package io.segmenttransfer.server.cli;

import static io.segmenttransfer.server.cli.CommandLineTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.server.cli.CommandLineTest.Run;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code archive} on a real Pinot segment (a fixture, unpacked by {@code extract}): what it writes
 * reads back to the same files through Pinot's reading path (commons-compress) and through {@code
 * extract}; a segment whose files do not match its CRC, a directory that is not a segment and bad
 * flags are refused with one line and the right exit code, leaving nothing behind.
 */
class ArchiveCommandTest {

  @TempDir Path dir;

  private Path segment;
  private long crc;

  @BeforeEach
  void unpackAFixture() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    Run run =
        run(
            "extract",
            "--archive",
            fixture.file().toString(),
            "--to",
            dir.resolve("data").toString(),
            "--table",
            "events_OFFLINE");
    assertThat(run.exitCode()).as(run.err()).isZero();
    segment = dir.resolve("data/events_OFFLINE").resolve(fixture.segmentName());
    crc = fixture.crc();
  }

  @Test
  void writesTheParallelGzipLayoutByDefaultAndReportsJson() throws Exception {
    Path out = dir.resolve("out/segment.tar.gz");
    Files.createDirectories(out.getParent());

    Run run =
        run("archive", "--segment-dir", segment.toString(), "--out", out.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("segmentName").asText()).isEqualTo(segment.getFileName().toString());
    assertThat(json.get("crc").asLong()).isEqualTo(crc);
    assertThat(json.get("codec").asText()).isEqualTo("gzip");
    assertThat(json.get("layout").asText()).isEqualTo("parallel");
    assertThat(json.get("level").asInt()).isEqualTo(6);
    assertThat(json.get("bytesIn").asLong()).isEqualTo(filesSize(segment));
    assertThat(json.get("bytesOut").asLong()).isEqualTo(Files.size(out));
    assertThat(json.get("millis").asLong()).isNotNegative();
    byte[] archive = Files.readAllBytes(out);
    assertThat(new String(archive, 12, 2, StandardCharsets.US_ASCII))
        .as("'ST' extra field")
        .isEqualTo("ST");
    assertThat(readWithCommonsCompress(archive)).isEqualTo(DirectorySnapshot.of(segment));
    assertThat(extractWithUs(out)).isEqualTo(DirectorySnapshot.of(segment));
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files).as("only the archive, no temporary file").containsExactly(out);
    }
  }

  @Test
  void zstdAndLz4AtALevelWithThreadsAndASingleStreamWithOneThread() throws Exception {
    for (String[] flags :
        new String[][] {
          {"--codec", "zstd", "--level", "9", "--threads", "2"},
          {"--codec", "lz4"},
          {"--codec", "gzip", "--threads", "1"},
          {"--codec", "zstd", "--threads", "1"}
        }) {
      Path out = dir.resolve("archive-" + String.join("", flags).replace("-", ""));
      String[] args =
          Stream.concat(
                  Stream.of(
                      "archive", "--segment-dir", segment.toString(), "--out", out.toString()),
                  Stream.of(flags))
              .toArray(String[]::new);
      Run run = run(args);
      assertThat(run.exitCode()).as(String.join(" ", flags) + ": " + run.err()).isZero();
      assertThat(run.out()).contains("archived " + segment.getFileName());
      byte[] archive = Files.readAllBytes(out);
      boolean single = flags.length == 4 && flags[3].equals("1") || flags[1].equals("lz4");
      assertThat(run.out())
          .as(String.join(" ", flags))
          .contains(single ? "single-stream" : "parallel");
      if (flags[1].equals("gzip")) {
        assertThat(archive[3]).as("no FEXTRA in a single stream").isZero();
      }
      if (!flags[1].equals("lz4")) {
        assertThat(readWithCommonsCompress(archive))
            .as(String.join(" ", flags))
            .isEqualTo(DirectorySnapshot.of(segment));
      }
      assertThat(extractWithUs(out))
          .as(String.join(" ", flags))
          .isEqualTo(DirectorySnapshot.of(segment));
    }
  }

  @Test
  void aSegmentThatDoesNotMatchItsCrcIsRefusedAndTheOldFileKept() throws Exception {
    Path out = dir.resolve("segment.tar.gz");
    Files.writeString(out, "the previous archive");
    Path index = segment.resolve("v3/index_map");
    Files.writeString(index, Files.readString(index) + "# changed\n");

    Run run = run("archive", "--segment-dir", segment.toString(), "--out", out.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip()).doesNotContain("\n").contains("CRC").contains(Long.toString(crc));
    assertThat(Files.readString(out)).isEqualTo("the previous archive");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
    }
  }

  @Test
  void refusesANonSegmentAndBadFlagsWithExitCodeTwo() throws Exception {
    Path notASegment = Files.createDirectories(dir.resolve("plain_dir"));
    Path out = dir.resolve("x.tar.gz");
    Map<String, String[]> cases =
        Map.of(
            "is not a Pinot segment",
                new String[] {"--segment-dir", notASegment.toString(), "--out", out.toString()},
            "unknown codec 'brotli'",
                new String[] {
                  "--segment-dir", segment.toString(), "--out", out.toString(), "--codec", "brotli"
                },
            "compression level 42",
                new String[] {
                  "--segment-dir", segment.toString(), "--out", out.toString(), "--level", "42"
                },
            "--threads must be at least 1",
                new String[] {
                  "--segment-dir", segment.toString(), "--out", out.toString(), "--threads", "0"
                },
            "its directory does not exist",
                new String[] {
                  "--segment-dir", segment.toString(), "--out", dir.resolve("no/x.tgz").toString()
                });
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      String[] args =
          Stream.concat(Stream.of("archive"), Stream.of(c.getValue())).toArray(String[]::new);
      Run run = run(args);
      assertThat(run.exitCode()).as(c.getKey() + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).as(c.getKey()).contains(c.getKey());
      assertThat(out).doesNotExist();
    }
  }

  private Map<String, String> extractWithUs(Path archive) throws Exception {
    Path to = Files.createTempDirectory(dir, "extracted");
    Run run =
        run(
            "extract",
            "--archive",
            archive.toString(),
            "--to",
            to.toString(),
            "--table",
            "events_OFFLINE",
            "--expect-crc",
            Long.toString(crc));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return DirectorySnapshot.of(to.resolve("events_OFFLINE").resolve(segment.getFileName()));
  }

  /** Pinot's reading path: commons-compress detects the codec, then its tar reader. */
  private Map<String, String> readWithCommonsCompress(byte[] archive) throws Exception {
    Path into = Files.createTempDirectory(dir, "commons");
    try (InputStream in =
            new CompressorStreamFactory()
                .createCompressorInputStream(
                    new BufferedInputStream(new java.io.ByteArrayInputStream(archive)));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path target = into.resolve(entry.getName()).normalize();
        assertThat(target.startsWith(into)).isTrue();
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
        }
      }
    }
    return DirectorySnapshot.of(into.resolve(segment.getFileName()));
  }

  private static long filesSize(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
