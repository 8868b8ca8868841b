package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segmenttransfer.core.archive.RecordingListener.Entry;
import io.segmenttransfer.core.archive.RecordingListener.Feed;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Archives written by GNU tar in each of its formats, including the old ones. */
class TarDecoderGnuTarTest {

  @TempDir Path dir;

  @BeforeAll
  static void gnuTarIsInstalled() {
    assumeTrue(GnuTar.available(), "GNU tar is not installed");
  }

  @ParameterizedTest(name = "--format={0}")
  @ValueSource(strings = {"v7", "oldgnu", "gnu", "ustar", "posix"})
  void decodesEveryFormatGnuTarWrites(String format) throws IOException {
    Random random = new Random(format.hashCode());
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("seg/v3/columns.psf", TarDecoderRoundTripTest.randomBytes(random, 50_000));
    files.put("seg/v3/creation.meta", TarDecoderRoundTripTest.randomBytes(random, 24));
    files.put("seg/v3/empty", new byte[0]);
    files.put("seg/v3/exactly-one-block", TarDecoderRoundTripTest.randomBytes(random, 512));
    if (!format.equals("v7")) {
      // ustar stores these with the 155-byte prefix field.
      files.put(TarDecoderRoundTripTest.pathOfLength("seg/", 150, random), new byte[] {1});
      files.put(TarDecoderRoundTripTest.pathOfLength("seg/", 240, random), new byte[] {2, 3});
    }
    if (!format.equals("v7") && !format.equals("ustar")) {
      files.put(TarDecoderRoundTripTest.pathOfLength("seg/", 300, random), new byte[] {4});
      files.put("seg/" + "n".repeat(120), new byte[] {5});
    }
    Path src = Files.createDirectories(dir.resolve("src"));
    List<Entry> expected = new ArrayList<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path file = src.resolve(f.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, f.getValue());
      expected.add(Entry.file(f.getKey(), f.getValue()));
    }
    try (var walk = Files.walk(src)) {
      walk.filter(p -> !p.equals(src) && Files.isDirectory(p))
          .forEach(p -> expected.add(Entry.dir(src.relativize(p).toString())));
    }
    List<String> args = new ArrayList<>(List.of("--format=" + format, "-cf", "out.tar"));
    if (format.equals("posix")) {
      args.add("--pax-option=comment=a global header"); // a 'g' header, to be ignored
    }
    args.addAll(List.of("-C", "src", "."));
    GnuTar.ok(dir, args.toArray(String[]::new));
    byte[] tar = Files.readAllBytes(dir.resolve("out.tar"));

    // "./" (the root itself) is skipped and the "./" prefix of every other name stripped.
    assertThat(RecordingListener.decode(tar, Feed.SMALL_RANDOM, 7))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(RecordingListener.decode(tar, Feed.WHOLE, 7))
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest(name = "--format={0}")
  @ValueSource(strings = {"gnu", "posix"})
  void refusesSparseFiles(String format) throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    try (RandomAccessFile f = new RandomAccessFile(src.resolve("hole").toFile(), "rw")) {
      f.seek(4 << 20);
      f.write(1);
    }
    GnuTar.ok(dir, "--format=" + format, "--sparse", "-cf", "out.tar", "-C", "src", "hole");
    byte[] tar = Files.readAllBytes(dir.resolve("out.tar"));

    assertThatThrownBy(() -> RecordingListener.decode(tar, Feed.WHOLE, 0))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("sparse")
        .hasMessageContaining("hole");
  }

  @Test
  void refusesTheSymbolicLinksGnuTarStores() throws IOException {
    Path src = Files.createDirectories(dir.resolve("src/seg"));
    Files.createSymbolicLink(src.resolve("passwd"), Path.of("/etc/passwd"));
    GnuTar.ok(dir, "-cf", "out.tar", "-C", "src", "seg");
    byte[] tar = Files.readAllBytes(dir.resolve("out.tar"));

    assertThatThrownBy(() -> RecordingListener.decode(tar, Feed.ONE_BYTE, 0))
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("'seg/passwd'")
        .hasMessageContaining("symbolic link to '/etc/passwd'");
  }
}
