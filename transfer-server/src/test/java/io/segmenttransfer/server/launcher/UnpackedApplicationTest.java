package io.segmenttransfer.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The application jar nested in the outer jar: unpacked once, found again, checked. */
class UnpackedApplicationTest {

  @TempDir Path dir;

  /** An outer jar whose nested application is {@code app}'s bytes (or none when null). */
  static Path outerJar(Path at, byte[] app) throws IOException {
    try (OutputStream out = Files.newOutputStream(at);
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
    return at;
  }

  @Test
  void theApplicationIsUnpackedOnceAndFoundAgainOnLaterRuns() throws IOException {
    byte[] app = "the application's jar".getBytes(StandardCharsets.UTF_8);
    Path outer = outerJar(dir.resolve("segment-transfer.jar"), app);
    Path cache = dir.resolve("cache");

    UnpackedApplication first = UnpackedApplication.of(outer, cache);
    assertThat(first.cached()).isTrue();
    assertThat(first.jar()).hasBinaryContent(app).hasFileName(UnpackedApplication.FILE_NAME);
    assertThat(first.dir().getParent()).isEqualTo(cache);
    assertThat(first.archives()).isEqualTo(first.dir().resolve("cds"));
    // Written under a temporary name and renamed: beside it only the lock this JVM holds.
    try (var files = Files.list(first.dir())) {
      assertThat(files)
          .containsExactlyInAnyOrder(first.jar(), first.dir().resolve(InUseLock.FILE_NAME));
    }

    FileTime unpackedAt = FileTime.from(Instant.now().minus(Duration.ofHours(3)));
    Files.setLastModifiedTime(first.jar(), unpackedAt);
    UnpackedApplication again = UnpackedApplication.of(outer, cache);
    assertThat(again).isEqualTo(first);
    // The same file, not unpacked again (a class-data-sharing archive is bound to its time).
    assertThat(Files.getLastModifiedTime(again.jar())).isEqualTo(unpackedAt);
    // The same jar named another way is the same directory, not a second copy.
    Path spelledOtherwise = dir.resolve(".").resolve("segment-transfer.jar");
    assertThat(UnpackedApplication.of(spelledOtherwise, cache)).isEqualTo(first);
  }

  @Test
  void aCopyThatIsNotWholeIsUnpackedAgain() throws IOException {
    byte[] app = "the whole application".getBytes(StandardCharsets.UTF_8);
    Path outer = outerJar(dir.resolve("segment-transfer.jar"), app);
    UnpackedApplication first = UnpackedApplication.of(outer, dir.resolve("cache"));
    Files.write(first.jar(), new byte[0]);

    UnpackedApplication again = UnpackedApplication.of(outer, dir.resolve("cache"));

    assertThat(again.jar()).isEqualTo(first.jar()).hasBinaryContent(app);
  }

  @Test
  void aWholeCopyWhoseLockCannotBeTakenIsStillUsed() throws IOException {
    byte[] app = "unpacked into a cache this user cannot write".getBytes(StandardCharsets.UTF_8);
    Path outer = outerJar(dir.resolve("segment-transfer.jar"), app);
    Path cache = dir.resolve("cache");
    Path unpacked =
        Files.createDirectories(
            cache.resolve(UnpackedApplication.DIR_PREFIX + Fingerprint.ofFile(outer).hex()));
    Path jar = Files.write(unpacked.resolve(UnpackedApplication.FILE_NAME), app);
    // A lock file that can be neither opened nor created, as in a cache this user cannot write
    // (made so with a dangling link: the tests may run as root, which ignores file modes).
    Files.createSymbolicLink(
        unpacked.resolve(InUseLock.FILE_NAME), dir.resolve("absent").resolve("in-use.lock"));
    FileTime madeAt = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
    Files.setLastModifiedTime(jar, madeAt);
    Files.setLastModifiedTime(unpacked, madeAt);

    UnpackedApplication found = UnpackedApplication.of(outer, cache);

    assertThat(found.cached()).isTrue();
    assertThat(found.jar()).isEqualTo(jar);
    assertThat(Files.getLastModifiedTime(jar)).isEqualTo(madeAt);
    // Used as it is: not even its time of last use is written.
    assertThat(Files.getLastModifiedTime(unpacked)).isEqualTo(madeAt);
  }

  @Test
  void aJarWithoutTheApplicationIsRefusedNamingWhatItLacks() throws IOException {
    Path outer = outerJar(dir.resolve("something-else.jar"), null);

    assertThatThrownBy(() -> UnpackedApplication.of(outer, dir.resolve("cache")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("something-else.jar")
        .hasMessageContaining(UnpackedApplication.ENTRY);
    assertThat(dir.resolve("cache")).doesNotExist();
  }

  @Test
  void aCacheThatCannotBeWrittenFallsBackToATemporaryDirectoryAndSaysSo() throws IOException {
    Path outer = outerJar(dir.resolve("segment-transfer.jar"), new byte[] {7, 7});
    Path notADirectory = Files.write(dir.resolve("cache"), new byte[] {0});
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    UnpackedApplication app;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      app = UnpackedApplication.of(outer, notADirectory);
    } finally {
      System.setErr(original);
    }

    assertThat(app.cached()).isFalse();
    assertThat(app.jar()).hasBinaryContent(new byte[] {7, 7});
    assertThat(app.jar().startsWith(notADirectory)).isFalse();
    assertThat(err.toString(StandardCharsets.UTF_8).strip().lines())
        .singleElement()
        .asString()
        .contains("warning", notADirectory.toString(), UnpackedApplication.CACHE_PROPERTY);
  }
}
