package io.segmenttransfer.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  @TempDir Path work;

  private static Path jar() {
    return Path.of(System.getProperty("segmenttransfer.jar", "target/segment-transfer.jar"))
        .toAbsolutePath();
  }

  private JavaJar javaJar() {
    return new JavaJar(
        jar(), List.of("-Xmx1g", "-Dsegment-transfer.cache.dir=" + work.resolve("cache")), work);
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
    JavaJar.Result version = javaJar().run("--version");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).startsWith("segment-transfer 0.").doesNotContain("unknown");

    for (int i = 1; i <= 2; i++) {
      javaJar().extractsTheFixture("tar.gz", List.of(), work.resolve("data-" + i));
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
    JavaJar.Result quickstart =
        javaJar()
            .run(
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
