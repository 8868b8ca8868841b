package io.segmenttransfer.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/segment-transfer.jar}, run as the README runs it ({@code java -jar}),
 * after {@code package} (Failsafe): the launcher outside, the application nested and unpacked on
 * the first run, a one-shot command relaunched with its class-data-sharing archive, and the
 * quickstart in the first JVM through the unpacked application's class loader (every library of the
 * application on a class loader that is not the system's).
 */
class PackagedJarIT {

  private static final long TIMEOUT_SECONDS = 300;

  @TempDir Path work;

  private static Path jar() {
    return Path.of(System.getProperty("segmenttransfer.jar", "target/segment-transfer.jar"))
        .toAbsolutePath();
  }

  private record Result(int exit, String out, String err) {}

  private Result run(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dsegment-transfer.cache.dir=" + work.resolve("cache"),
                "-jar",
                jar().toString()));
    command.addAll(List.of(args));
    Path out = work.resolve("out.txt");
    Path err = work.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("java -jar " + String.join(" ", args) + " did not finish");
    }
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void theJarHoldsTheLauncherAndTheApplicationOnly() throws IOException {
    try (ZipFile zip = new ZipFile(jar().toFile())) {
      // Few entries: opening it (twice before main) reads no 35,000-entry central directory.
      assertThat(zip.size()).isLessThan(40);
      assertThat(zip.getEntry("lib/segment-transfer-app.jar")).isNotNull();
      assertThat(zip.getEntry("io/segmenttransfer/server/launcher/JarLauncher.class")).isNotNull();
    }
  }

  @Test
  void aOneShotCommandRunsFromTheUnpackedApplication() throws Exception {
    Result version = run("--version");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).startsWith("segment-transfer 0.").doesNotContain("unknown");

    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    for (int i = 1; i <= 2; i++) {
      Path data = work.resolve("data-" + i);
      Result extract =
          run(
              "extract",
              "--archive",
              fixture.file().toString(),
              "--to",
              data.toString(),
              "--table",
              PinotFixtures.TABLE,
              "--expect-crc",
              Long.toString(fixture.crc()),
              "--json");
      assertThat(extract.exit()).as(extract.err()).isZero();
      assertThat(extract.out().strip()).startsWith("{").contains("\"crc\":" + fixture.crc());
      assertThat(data.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName())).isDirectory();
    }
    // The first run unpacked the application and made the extract's archive; the second used both.
    try (Stream<Path> cache = Files.walk(work.resolve("cache"))) {
      assertThat(cache.map(p -> p.getFileName().toString()))
          .contains("segment-transfer-app.jar")
          .anyMatch(name -> name.startsWith("extract-") && name.endsWith(".jsa"))
          .noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  @Test
  void theQuickstartRunsInTheFirstJvmFromTheUnpackedApplication() throws Exception {
    Result quickstart =
        run(
            "quickstart",
            "--segments",
            "2",
            "--segment-size-mb",
            "2",
            "--work-dir",
            work.resolve("quickstart").toString());

    assertThat(quickstart.exit()).as(quickstart.out() + quickstart.err()).isZero();
    assertThat(quickstart.out())
        .contains("every segment ONLINE on 2 servers")
        .contains("the peer fallback worked")
        .contains("the commit story held");
  }
}
