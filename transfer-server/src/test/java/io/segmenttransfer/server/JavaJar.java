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

/**
 * {@code java <flags> -jar <jar> <args>} as a user runs it, its stdout and stderr kept in files
 * under {@code work} (so neither pipe can fill), for the tests of the runnable jar's launcher.
 */
public record JavaJar(Path jar, List<String> flags, Path work) {

  private static final long TIMEOUT_SECONDS = 300;

  /** What one run printed and returned. */
  public record Result(int exit, String out, String err) {}

  public Result run(String... args) throws IOException, InterruptedException {
    return run(List.of(), args);
  }

  /** A run with {@code moreFlags} after this jar's own flags. */
  public Result run(List<String> moreFlags, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(flags);
    command.addAll(moreFlags);
    command.add("-jar");
    command.add(jar.toString());
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

  /**
   * {@code extract --json} of the fixture archive of {@code codec} into {@code data}, which must
   * succeed with the fixture's CRC on one line of output and the segment in place.
   */
  public Result extractsTheFixture(String codec, List<String> moreFlags, Path data)
      throws IOException, InterruptedException {
    PinotFixtures.Archive fixture = PinotFixtures.archive(codec);
    Result result =
        run(
            moreFlags,
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
    return result;
  }
}
