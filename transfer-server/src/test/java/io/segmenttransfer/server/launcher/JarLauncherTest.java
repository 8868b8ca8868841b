package io.segmenttransfer.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.server.JavaJar;
import io.segmenttransfer.server.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar} of a jar shaped like {@code segment-transfer.jar} (the launcher outside, the
 * application nested), as a user runs it: a one-shot command relaunched from the unpacked
 * application, and a command run in the first JVM through its class loader, each with the output,
 * exit code and segment of the command itself. The packaged jar itself is run by {@code
 * PackagedJarIT}.
 */
class JarLauncherTest {

  @TempDir Path dir;

  /** This test's class path, as URLs a manifest's {@code Class-Path} takes. */
  private static List<String> classPathUrls() throws IOException {
    String classPath = System.getProperty("java.class.path");
    List<String> entries = new ArrayList<>();
    if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
      // Surefire's booter jar: the class path is its manifest's.
      try (JarFile booter = new JarFile(classPath)) {
        String listed =
            booter.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        entries.addAll(List.of(listed.trim().split("\\s+")));
      }
    } else {
      for (String entry : classPath.split(java.io.File.pathSeparator)) {
        entries.add(Path.of(entry).toUri().toString());
      }
    }
    return entries;
  }

  /**
   * The outer jar: {@link JarLauncher} as its main class and, nested, an application jar whose
   * manifest is the whole of it (its class path this test's).
   */
  private Path outerJar() throws IOException {
    String classPath = String.join(" ", classPathUrls());
    ByteArrayOutputStream app = new ByteArrayOutputStream();
    try (JarOutputStream ignored = new JarOutputStream(app, manifest(Main.class, classPath))) {
      // The manifest is the whole application jar.
    }
    Path jar = dir.resolve("segment-transfer.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream outer = new JarOutputStream(out, manifest(JarLauncher.class, classPath))) {
      outer.putNextEntry(new JarEntry(UnpackedApplication.ENTRY));
      outer.write(app.toByteArray());
      outer.closeEntry();
    }
    return jar;
  }

  private static Manifest manifest(Class<?> main, String classPath) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    return manifest;
  }

  private JavaJar javaJar(Path jar) {
    return new JavaJar(
        jar,
        List.of("-Xmx256m", "-D" + UnpackedApplication.CACHE_PROPERTY + "=" + dir.resolve("cache")),
        dir);
  }

  @Test
  void aOneShotCommandRunsInTheRelaunchedJvmWithItsOutputAndExitCode() throws Exception {
    Path jar = outerJar();
    for (int run = 1; run <= 2; run++) {
      javaJar(jar).extractsTheFixture("tar.zst", List.of(), dir.resolve("data-" + run));
    }
    // One unpacked application, with its archives beside it, and nothing half-written.
    Path cache = dir.resolve("cache");
    try (Stream<Path> apps = Files.list(cache)) {
      List<Path> unpacked = apps.toList();
      assertThat(unpacked).hasSize(1);
      assertThat(unpacked.get(0).resolve(UnpackedApplication.FILE_NAME)).isRegularFile();
      assertThat(unpacked.get(0).resolve("cds")).isDirectory();
      // The tar.zst extracts loaded zstd-jni's library from beside the application.
      try (Stream<Path> natives = Files.list(unpacked.get(0).resolve("native"))) {
        assertThat(natives.map(p -> p.getFileName().toString()))
            .singleElement()
            .asString()
            .contains("libzstd-jni");
      }
    }
    try (Stream<Path> files = Files.walk(cache)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }

    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    JavaJar.Result failed =
        javaJar(jar)
            .run(
                "extract",
                "--archive",
                dir.resolve("missing.tar.gz").toString(),
                "--to",
                dir.resolve("data-3").toString(),
                "--table",
                PinotFixtures.TABLE,
                "--expect-crc",
                Long.toString(fixture.crc()));
    // A missing archive is bad input (exit 2), passed through from the relaunched JVM unchanged.
    assertThat(failed.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(failed.err()).contains("missing.tar.gz");
    assertThat(failed.out()).isEmpty();
  }

  @Test
  void anythingElseRunsInTheFirstJvmThroughTheUnpackedApplication() throws Exception {
    Path jar = outerJar();
    // With the relaunch off, the command runs in this JVM, from the application's class loader.
    javaJar(jar)
        .extractsTheFixture(
            "tar.zst",
            List.of("-D" + ClassDataSharingLauncher.ENABLED_PROPERTY + "=false"),
            dir.resolve("data"));
    try (Stream<Path> apps = Files.list(dir.resolve("cache"))) {
      // Unpacked, but no archive made: nothing ran in a child.
      assertThat(apps.toList())
          .singleElement()
          .satisfies(app -> assertThat(app.resolve("cds")).doesNotExist());
    }

    JavaJar.Result version = javaJar(jar).run("--version");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).startsWith("segment-transfer ").contains("Java ");

    JavaJar.Result usage = javaJar(jar).run("server", "--no-such-flag");
    assertThat(usage.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(usage.err()).contains("--no-such-flag");
  }

  @Test
  void aJarWithoutTheApplicationFailsWithAOneLineErrorNamingIt() throws Exception {
    Path jar = dir.resolve("not-segment-transfer.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored =
            new JarOutputStream(
                out, manifest(JarLauncher.class, String.join(" ", classPathUrls())))) {
      // A launcher with nothing nested.
    }

    JavaJar.Result result = javaJar(jar).run("extract", "--help");

    assertThat(result.exit()).isEqualTo(ClassDataSharingLauncher.EXIT_FAILED);
    assertThat(result.err().strip().lines())
        .singleElement()
        .asString()
        .contains("not-segment-transfer.jar", UnpackedApplication.ENTRY);
    assertThat(result.out()).isEmpty();
  }

  @Test
  void theNativeDirectoryIsTheOneTheApplicationReads() {
    assertThat(JarLauncher.NATIVE_DIR_PROPERTY)
        .isEqualTo(io.segmenttransfer.core.archive.codec.ZstdNativeLibrary.DIR_PROPERTY);
  }

  @Test
  void pinotToolsBesideTheJarIsNamedUnlessTheUserNamedOne() throws IOException {
    Path jar = Files.write(dir.resolve("segment-transfer.jar"), new byte[] {1});
    assertThat(JarLauncher.pinotToolsBeside(jar, null, null)).isEmpty();

    Path tools = Files.write(dir.resolve(JarLauncher.PINOT_TOOLS_FILE), new byte[] {1});
    assertThat(JarLauncher.pinotToolsBeside(jar, null, null)).contains(tools.toAbsolutePath());
    assertThat(JarLauncher.pinotToolsFlag(tools))
        .isEqualTo("-D" + JarLauncher.PINOT_TOOLS_PROPERTY + "=" + tools);
    // The user's property or environment variable wins: the launcher adds nothing.
    assertThat(JarLauncher.pinotToolsBeside(jar, "/elsewhere/pinot-tools.jar", null)).isEmpty();
    assertThat(JarLauncher.pinotToolsBeside(jar, null, "/elsewhere/pinot-tools.jar")).isEmpty();
  }
}
