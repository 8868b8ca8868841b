package io.segmenttransfer.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application jar nested in the outer jar: unpacked once, found again, old copies pruned. */
class UnpackedApplicationTest {

  @TempDir Path dir;

  /** An outer jar whose nested application is {@code app}'s bytes (or none when null). */
  private Path outerJar(String name, byte[] app) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("io/segmenttransfer/server/launcher/JarLauncher.class"));
      zip.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
      zip.closeEntry();
      if (app != null) {
        zip.putNextEntry(new ZipEntry(UnpackedApplication.ENTRY));
        zip.write(app);
        zip.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void theApplicationIsUnpackedOnceAndFoundAgainOnLaterRuns() throws IOException {
    byte[] app = "the application's jar".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path outer = outerJar("segment-transfer.jar", app);
    Path cache = dir.resolve("cache");

    UnpackedApplication first = UnpackedApplication.of(outer, cache);
    assertThat(first.cached()).isTrue();
    assertThat(first.jar()).hasBinaryContent(app).hasFileName(UnpackedApplication.FILE_NAME);
    assertThat(first.dir().getParent()).isEqualTo(cache);
    assertThat(first.archives()).isEqualTo(first.dir().resolve("cds"));
    // Written under a temporary name and renamed: nothing else is left in its directory.
    try (var files = Files.list(first.dir())) {
      assertThat(files).containsExactly(first.jar());
    }

    FileTime unpackedAt = FileTime.from(Instant.now().minus(Duration.ofHours(3)));
    Files.setLastModifiedTime(first.jar(), unpackedAt);
    UnpackedApplication again = UnpackedApplication.of(outer, cache);
    assertThat(again).isEqualTo(first);
    // The same file, not unpacked again (a class-data-sharing archive is bound to its time).
    assertThat(Files.getLastModifiedTime(again.jar())).isEqualTo(unpackedAt);
  }

  @Test
  void aRebuiltJarGetsADirectoryOfItsOwnAndCopiesUnusedForADayGo() throws IOException {
    Path cache = dir.resolve("cache");
    Path outer = outerJar("segment-transfer.jar", new byte[] {1, 2, 3});
    UnpackedApplication old = UnpackedApplication.of(outer, cache);
    Path recent = Files.createDirectories(cache.resolve(UnpackedApplication.DIR_PREFIX + "recent"));
    Path notOurs = Files.createDirectories(cache.resolve("cds"));
    Files.write(Files.createDirectories(old.archives()).resolve("extract-0.jsa"), new byte[] {9});
    Files.setLastModifiedTime(old.dir(), FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Files.setLastModifiedTime(notOurs, FileTime.from(Instant.now().minus(Duration.ofDays(2))));

    Path rebuilt = outerJar("segment-transfer.jar", new byte[] {1, 2, 3, 4});
    UnpackedApplication current = UnpackedApplication.of(rebuilt, cache);

    assertThat(current.dir()).isNotEqualTo(old.dir());
    assertThat(current.jar()).hasBinaryContent(new byte[] {1, 2, 3, 4});
    assertThat(old.dir()).doesNotExist();
    assertThat(recent).isDirectory();
    assertThat(notOurs).isDirectory();
  }

  @Test
  void aJarWithoutTheApplicationIsRefusedNamingWhatItLacks() throws IOException {
    Path outer = outerJar("something-else.jar", null);

    assertThatThrownBy(() -> UnpackedApplication.of(outer, dir.resolve("cache")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("something-else.jar")
        .hasMessageContaining(UnpackedApplication.ENTRY);
    try (var left = Files.walk(dir.resolve("cache"))) {
      assertThat(left).noneMatch(p -> p.getFileName().toString().endsWith(".tmp"));
    }
  }

  @Test
  void aCacheThatCannotBeWrittenFallsBackToATemporaryDirectory() throws IOException {
    Path outer = outerJar("segment-transfer.jar", new byte[] {7, 7});
    Path notADirectory = Files.write(dir.resolve("cache"), new byte[] {0});

    UnpackedApplication app = UnpackedApplication.of(outer, notADirectory);

    assertThat(app.cached()).isFalse();
    assertThat(app.jar()).hasBinaryContent(new byte[] {7, 7});
    assertThat(app.jar().startsWith(notADirectory)).isFalse();
  }
}
