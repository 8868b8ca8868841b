package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's decisions (which commands, which flags, which archive) and, as a user runs it, a
 * real {@code java -jar} whose command is relaunched: its output, exit code and segment are the
 * command's own.
 */
class ClassDataSharingLauncherTest {

  @TempDir Path dir;

  @Test
  void theCommandIsTheFirstArgumentThatIsNotAnOption() {
    assertThat(ClassDataSharingLauncher.command(new String[] {"extract", "--archive", "x"}))
        .isEqualTo("extract");
    assertThat(ClassDataSharingLauncher.command(new String[] {"--version"})).isNull();
  }

  @Test
  void eachKindOfSourceHasItsOwnProfile() {
    assertThat(ClassDataSharingLauncher.profile("extract", new String[] {"--archive", "/a.tar"}))
        .isEqualTo("extract");
    assertThat(ClassDataSharingLauncher.profile("extract", new String[] {"--archive", "s3://b/k"}))
        .isEqualTo("extract-s3");
    assertThat(
            ClassDataSharingLauncher.profile(
                "load", new String[] {"--archive", "HTTPS://h/x", "--archive", "s3://b/k"}))
        .isEqualTo("load-http-s3");
  }

  @Test
  void theArchiveNameChangesWithTheJar() throws IOException {
    Path jar = Files.write(dir.resolve("a.jar"), new byte[] {1});
    String first = ClassDataSharingLauncher.archiveName(jar, "extract");
    Files.write(jar, new byte[] {1, 2});
    assertThat(ClassDataSharingLauncher.archiveName(jar, "extract"))
        .startsWith("extract-")
        .endsWith(".jsa")
        .isNotEqualTo(first);
  }

  /** A JVM's arguments as {@code java [flags] -jar <jar> args...} shows them. */
  private Optional<String[]> startedAsJar(List<String> flags, String... args) throws IOException {
    List<String> all = new ArrayList<>(flags);
    all.add("-jar");
    all.add(jar().toString());
    all.addAll(List.of(args));
    return Optional.of(all.toArray(String[]::new));
  }

  private Path jar() throws IOException {
    Path jar = dir.resolve("app.jar");
    if (!Files.exists(jar)) {
      Files.write(jar, new byte[] {1});
    }
    return jar;
  }

  @Test
  void aOneShotCommandIsRelaunchedWithAnArchiveAndTheClientCompiler() throws IOException {
    System.setProperty(ClassDataSharingLauncher.DIR_PROPERTY, dir.toString());
    try {
      String[] args = {"extract", "--archive", "s3://bucket/key", "--json"};
      ClassDataSharingLauncher.Plan plan =
          ClassDataSharingLauncher.plan(
                  args, null, startedAsJar(List.of("-Xmx1g"), args), jar(), true)
              .orElseThrow();

      assertThat(plan.archive().getParent()).isEqualTo(dir);
      assertThat(plan.archive().getFileName().toString()).startsWith("extract-s3-");
      // No archive yet: this run creates it, under a name of its own.
      assertThat(plan.creating()).isPresent();
      assertThat(plan.command())
          .contains(
              "-Xlog:cds*=off",
              "-XX:ArchiveClassesAtExit=" + plan.creating().get(),
              ClassDataSharingLauncher.QUICK_COMPILER,
              ClassDataSharingLauncher.HUGE_PAGES,
              "-D" + ClassDataSharingLauncher.CHILD_PROPERTY + "=true");
      // The user's own flags and arguments follow, unchanged and in order, with the jar as the
      // class path and Main named in place of -jar (which would open the jar once more).
      List<String> tail =
          plan.command().subList(plan.command().indexOf("-Xmx1g"), plan.command().size());
      List<String> expected = new ArrayList<>(List.of("-Xmx1g", "-cp", jar().toString()));
      expected.add(Main.class.getName());
      expected.addAll(List.of(args));
      assertThat(tail).containsExactlyElementsOf(expected);

      Files.write(plan.archive(), new byte[] {1});
      ClassDataSharingLauncher.Plan next =
          ClassDataSharingLauncher.plan(args, null, startedAsJar(List.of(), args), jar(), false)
              .orElseThrow();
      assertThat(next.creating()).isEmpty();
      assertThat(next.command()).contains("-XX:SharedArchiveFile=" + plan.archive());
      // A kernel that gives huge pages always or never: the JVM is not asked for them.
      assertThat(next.command()).doesNotContain(ClassDataSharingLauncher.HUGE_PAGES);
    } finally {
      System.clearProperty(ClassDataSharingLauncher.DIR_PROPERTY);
    }
  }

  @Test
  void theRuntimeFlagsAreTheOnesARelaunchAddsOnThisMachine() throws IOException {
    List<String> flags = ClassDataSharingLauncher.runtimeFlags();
    assertThat(flags).startsWith(ClassDataSharingLauncher.QUICK_COMPILER);
    assertThat(flags.contains(ClassDataSharingLauncher.HUGE_PAGES))
        .isEqualTo(ClassDataSharingLauncher.hugePagesOnRequest());
  }

  @Test
  void aClassPathThatJavaJarIgnoredIsNotPassedOn() throws IOException {
    String[] extract = {"extract", "--archive", "/a.tar.gz"};
    List<String> command =
        plan(
                extract,
                null,
                List.of("-cp", "/x.jar", "-Xmx1g", "--class-path=/y", "-classpath", "/z", "-ea"))
            .orElseThrow()
            .command();

    assertThat(command).doesNotContain("/x.jar", "--class-path=/y", "/z", "-classpath");
    assertThat(command).containsSubsequence("-Xmx1g", "-ea", "-cp", jar().toString());
    assertThat(command).containsOnlyOnce("-cp");
  }

  @Test
  void notRelaunchedWhenItDoesNotApply() throws IOException {
    String[] extract = {"extract", "--archive", "/a.tar.gz"};
    // Daemons, help, the user's own sharing or compiler choices, and switched off.
    assertThat(plan(new String[] {"server", "--port", "0"}, null, List.of())).isEmpty();
    assertThat(plan(new String[] {"--help"}, null, List.of())).isEmpty();
    assertThat(plan(new String[] {"extract", "--help"}, null, List.of())).isEmpty();
    assertThat(plan(extract, null, List.of("-Xshare:off"))).isEmpty();
    assertThat(plan(extract, null, List.of("-XX:SharedArchiveFile=/x.jsa"))).isEmpty();
    assertThat(plan(extract, "false", List.of())).isEmpty();
    assertThat(ClassDataSharingLauncher.plan(extract, null, Optional.empty(), jar(), true))
        .isEmpty();
    // Not started from one jar (the class path is classes directories, or several jars).
    assertThat(
            ClassDataSharingLauncher.plan(
                extract, null, startedAsJar(List.of(), extract), null, true))
        .isEmpty();
    Optional<ClassDataSharingLauncher.Plan> ownCompiler =
        plan(extract, null, List.of("-XX:TieredStopAtLevel=4"));
    assertThat(ownCompiler).isPresent();
    assertThat(ownCompiler.get().command()).doesNotContain(ClassDataSharingLauncher.QUICK_COMPILER);
    Optional<ClassDataSharingLauncher.Plan> ownPages =
        plan(extract, null, List.of("-XX:-UseTransparentHugePages"));
    assertThat(ownPages).isPresent();
    assertThat(ownPages.get().command())
        .containsOnlyOnce("-XX:-UseTransparentHugePages")
        .doesNotContain(ClassDataSharingLauncher.HUGE_PAGES);
  }

  private Optional<ClassDataSharingLauncher.Plan> plan(
      String[] args, String env, List<String> flags) throws IOException {
    System.setProperty(ClassDataSharingLauncher.DIR_PROPERTY, dir.toString());
    try {
      return ClassDataSharingLauncher.plan(args, env, startedAsJar(flags, args), jar(), true);
    } finally {
      System.clearProperty(ClassDataSharingLauncher.DIR_PROPERTY);
    }
  }

  /**
   * A jar like the runnable one: {@code Main} as its main class, this test's class path as its
   * {@code Class-Path}.
   */
  private Path runnableJar() throws IOException {
    String classPath = System.getProperty("java.class.path");
    List<String> entries = new ArrayList<>();
    if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
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
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
    Path jar = dir.resolve("segment-transfer.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // The manifest is the whole jar.
    }
    return jar;
  }

  private record Result(int exit, String out, String err) {}

  private Result javaJar(Path jar, Path cds, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-D" + ClassDataSharingLauncher.DIR_PROPERTY + "=" + cds,
                "-jar",
                jar.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void javaJarRunsTheCommandInTheRelaunchedJvmWithItsOutputAndExitCode() throws Exception {
    Path jar = runnableJar();
    Path cds = dir.resolve("cds");
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    for (int run = 1; run <= 2; run++) {
      Path data = dir.resolve("data-" + run);
      Result result =
          javaJar(
              jar,
              cds,
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

      assertThat(result.exit()).as(result.err()).isZero();
      // One JSON line: nothing the JVM says about its archive reaches stdout.
      assertThat(result.out().strip().lines()).hasSize(1);
      assertThat(result.out()).startsWith("{").contains("\"crc\":" + fixture.crc());
      assertThat(data.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName())).isDirectory();
    }
    // Whatever the JVM could archive, no half-written archive is left behind.
    try (Stream<Path> files = Files.list(cds)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }

    Result failed =
        javaJar(
            jar,
            cds,
            "extract",
            "--archive",
            dir.resolve("missing.tar.gz").toString(),
            "--to",
            dir.resolve("data-3").toString(),
            "--table",
            PinotFixtures.TABLE);
    // A missing archive is bad input (exit 2), passed through from the relaunched JVM unchanged.
    assertThat(failed.exit()).isEqualTo(Main.EXIT_USAGE);
    assertThat(failed.err()).contains("missing.tar.gz");
    assertThat(failed.out()).isEmpty();
  }
}
