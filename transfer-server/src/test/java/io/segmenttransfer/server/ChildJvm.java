package io.segmenttransfer.server;

import io.segmenttransfer.server.cli.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One command of this project's CLI in a fresh JVM (this test JVM's class path), for tests that
 * need a real process: killed with SIGKILL, restarted on the same directories. Its output (stdout
 * and stderr together) is read from the start by a daemon thread, so the child never blocks on a
 * full pipe, and kept for assertions.
 */
public final class ChildJvm implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread reader;

  private ChildJvm(Process process) {
    this.process = process;
    this.reader = new Thread(this::readOutput, "child-jvm-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code java <jvmOptions> -cp <this class path> Main <args>} with {@code env} added to
   * this JVM's environment.
   */
  public static ChildJvm start(Map<String, String> env, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return new ChildJvm(builder.start());
  }

  private void readOutput() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
          lines.notifyAll();
        }
      }
    } catch (IOException ignored) {
      // The process ended: nothing more to read.
    }
  }

  /** The first line (from the start) matching {@code pattern}; fails after a minute. */
  public Matcher awaitLine(Pattern pattern) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher matcher = pattern.matcher(lines.get(seen));
          if (matcher.find()) {
            return matcher;
          }
        }
        long left = deadline - System.nanoTime();
        // The output ends when the reader has read the last line of a process that is gone.
        if (left <= 0 || (!reader.isAlive() && seen == lines.size())) {
          throw new AssertionError(
              "no line matching "
                  + pattern
                  + " (process alive: "
                  + process.isAlive()
                  + ") in:\n"
                  + String.join("\n", lines));
        }
        lines.wait(Math.min(100, Math.max(1, left / 1_000_000)));
      }
    }
  }

  /** Every line so far. */
  public List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** SIGKILL, as a crash or an OOM killer would: no shutdown hook runs. Waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("process " + process.pid() + " survived SIGKILL");
    }
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
