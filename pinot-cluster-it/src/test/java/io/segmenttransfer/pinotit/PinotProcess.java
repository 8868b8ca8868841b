package io.segmenttransfer.pinotit;

import io.segmenttransfer.core.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * One role of the cluster (ZooKeeper, controller, server) running in a JVM of its own, launched
 * with {@code -cp '<pinot lib>/*'}. Its log4j2 output goes to {@code <role>.log}, anything else it
 * prints to {@code <role>.out}; its temporary files stay under its own directory. It is stopped
 * through the handle of the process this class started (never looked up by name); the marker
 * property {@value #MARKER} names the role on its command line for anyone reading {@code ps}.
 */
final class PinotProcess implements AutoCloseable {

  static final String MARKER = "segmenttransfer.pinotit.role";
  private static final Duration STOP_GRACE = Duration.ofSeconds(20);
  private static final int TAIL_LINES = 40;

  private final String role;
  private final Process process;
  private final Path log;
  private final Path out;

  private PinotProcess(String role, Process process, Path log, Path out) {
    this.role = role;
    this.process = process;
    this.log = log;
    this.out = out;
  }

  /**
   * Starts {@code mainClass} with {@code args}, a heap of {@code heapMiB}, and {@code dir} as its
   * working, temporary and log directory.
   */
  static PinotProcess launch(
      String role,
      Path lib,
      Path dir,
      Path log4jConfig,
      int heapMiB,
      String mainClass,
      String... args) {
    try {
      Path tmp = Files.createDirectories(dir.resolve("tmp"));
      Path log = dir.resolve(role + ".log");
      Path out = dir.resolve(role + ".out");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xms64m");
      command.add("-Xmx" + heapMiB + "m");
      command.add("-XX:+UseSerialGC");
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-D" + MARKER + "=" + role);
      command.add("-Djava.io.tmpdir=" + tmp);
      command.add("-Dlog4j2.configurationFile=" + log4jConfig);
      command.add("-Dpinotit.log.file=" + log);
      command.add("-cp");
      command.add(lib.resolve("*").toString());
      command.add(mainClass);
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      return new PinotProcess(role, process, log, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start pinot " + role, e);
    }
  }

  String role() {
    return role;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path log() {
    return log;
  }

  /**
   * Waits until {@code ready} holds, checking every 250 ms (each check may be an HTTP request to a
   * busy JVM); fails with the role, the time waited and the tail of its log when it does not hold
   * within {@code timeout}, or as soon as the process ends.
   */
  void awaitReady(BooleanSupplier ready, Duration timeout) {
    long started = System.nanoTime();
    try {
      Waits.await("pinot " + role + " ready")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(250))
          .failFast("pinot " + role + " exited while starting", () -> !process.isAlive())
          .until(ready::getAsBoolean);
      // On the build's console: how long Pinot's roles take to start on this machine.
      System.out.printf(
          "pinot %s ready in %.1f s (pid %d)%n",
          role, (System.nanoTime() - started) / 1e9, process.pid());
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new IllegalStateException(
          (process.isAlive()
                  ? "pinot " + role + " was not ready within " + timeout.toSeconds() + " s"
                  : "pinot " + role + " exited with " + process.exitValue() + " while starting")
              + tails(),
          e);
    }
  }

  /** The last lines of the role's log and console, for failure messages. */
  String tails() {
    return "\n--- last lines of "
        + log
        + "\n"
        + tail(log)
        + "\n--- last lines of "
        + out
        + "\n"
        + tail(out);
  }

  /** The whole log so far (tests search it for what the role did). */
  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path file) {
    try {
      if (!Files.exists(file)) {
        return "(none)";
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** SIGTERM (Pinot's shutdown hooks leave Helix cleanly), then SIGKILL after a grace period. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
