package io.segmenttransfer.server.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command in a fresh JVM whose stdout and stderr go to a file, so a test can wait for several
 * lines in turn and still read everything after {@link Process#destroy()} (which closes the pipes
 * of a process whose output is piped to this JVM).
 */
final class ProcessOutput {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final Path file;
  private int next;

  private ProcessOutput(Process process, Path file) {
    this.process = process;
    this.file = file;
  }

  static ProcessOutput launch(Path file, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    return new ProcessOutput(process, file);
  }

  Process process() {
    return process;
  }

  /** The next line matching {@code pattern}, within the timeout. */
  Matcher await(Pattern pattern) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      List<String> lines = lines();
      while (next < lines.size()) {
        Matcher matcher = pattern.matcher(lines.get(next++));
        if (matcher.find()) {
          return matcher;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new AssertionError("no line matching " + pattern + " in " + all());
  }

  /** Waits for the process to end and returns its exit code. */
  int exit() throws InterruptedException, IOException {
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("still running after " + TIMEOUT + ": " + all());
    }
    return process.exitValue();
  }

  /** Everything written so far. */
  String all() throws IOException {
    return String.join("\n", lines());
  }

  private List<String> lines() throws IOException {
    // Only whole lines: the last one may still be being written.
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : text.substring(0, end).lines().toList();
  }
}
