package io.segmenttransfer.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's decisions: which commands, which flags, which archive. {@link JarLauncherTest}
 * runs them as a user does, with {@code java -jar}.
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
    return file("segment-transfer.jar");
  }

  private Path file(String name) throws IOException {
    Path file = dir.resolve(name);
    if (!Files.exists(file)) {
      Files.write(file, new byte[] {1});
    }
    return file;
  }

  /** The outer jar and its application, unpacked into {@code dir/app}. */
  private ClassDataSharingLauncher.Jars jars(List<String> properties) throws IOException {
    Files.createDirectories(dir.resolve("app"));
    Path app = dir.resolve("app").resolve(UnpackedApplication.FILE_NAME);
    Files.write(app, new byte[] {2});
    return new ClassDataSharingLauncher.Jars(
        jar(), new UnpackedApplication(app, app.getParent(), true), properties);
  }

  @Test
  void aOneShotCommandIsRelaunchedWithAnArchiveAndTheClientCompiler() throws IOException {
    System.setProperty(ClassDataSharingLauncher.DIR_PROPERTY, dir.toString());
    try {
      String[] args = {"extract", "--archive", "s3://bucket/key", "--json"};
      ClassDataSharingLauncher.Jars jars = jars(List.of("-Dlauncher.says=so"));
      ClassDataSharingLauncher.Plan plan =
          ClassDataSharingLauncher.plan(
                  args, null, startedAsJar(List.of("-Xmx1g"), args), jars, true)
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
      // The launcher's properties, then the user's own flags (so theirs win) and arguments,
      // unchanged and in order, with the unpacked application as the class path and Main named in
      // place of -jar (which would open a jar once more).
      List<String> tail =
          plan.command()
              .subList(plan.command().indexOf("-Dlauncher.says=so"), plan.command().size());
      List<String> expected =
          new ArrayList<>(
              List.of("-Dlauncher.says=so", "-Xmx1g", "-cp", jars.app().jar().toString()));
      expected.add(JarLauncher.MAIN_CLASS);
      expected.addAll(List.of(args));
      assertThat(tail).containsExactlyElementsOf(expected);

      Files.write(plan.archive(), new byte[] {1});
      ClassDataSharingLauncher.Plan next =
          ClassDataSharingLauncher.plan(args, null, startedAsJar(List.of(), args), jars, false)
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
  void withoutADirectoryChosenTheArchivesLiveBesideTheUnpackedApplication() throws IOException {
    String[] args = {"load", "--archive", "http://h/segment.tar.gz"};
    ClassDataSharingLauncher.Jars jars = jars(List.of());
    ClassDataSharingLauncher.Plan plan =
        ClassDataSharingLauncher.plan(args, null, startedAsJar(List.of(), args), jars, false)
            .orElseThrow();

    assertThat(plan.archive().getParent()).isEqualTo(jars.app().archives()).isDirectory();
    assertThat(plan.archive().getFileName().toString()).startsWith("load-http-");
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
    assertThat(command)
        .containsSubsequence(
            "-Xmx1g",
            "-ea",
            "-cp",
            dir.resolve("app").resolve(UnpackedApplication.FILE_NAME).toString());
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
    assertThat(
            ClassDataSharingLauncher.plan(extract, null, Optional.empty(), jars(List.of()), true))
        .isEmpty();
    // Started with -jar naming another jar than the one this launcher came from.
    List<String> otherJar = List.of("-jar", file("other.jar").toString(), "extract");
    assertThat(
            ClassDataSharingLauncher.plan(
                extract, null, Optional.of(otherJar.toArray(String[]::new)), jars(List.of()), true))
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
      return ClassDataSharingLauncher.plan(
          args, env, startedAsJar(flags, args), jars(List.of()), true);
    } finally {
      System.clearProperty(ClassDataSharingLauncher.DIR_PROPERTY);
    }
  }
}
