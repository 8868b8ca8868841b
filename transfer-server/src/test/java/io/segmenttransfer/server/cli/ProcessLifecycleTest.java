package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The long-running commands as real processes: they say where they listen and stop on SIGTERM with
 * exit 0.
 */
class ProcessLifecycleTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  static Process launch(String... args) throws IOException {
    return launch(java.util.Map.of(), args);
  }

  /** The command in a fresh JVM, with {@code env} added to this one's environment. */
  static Process launch(java.util.Map<String, String> env, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return builder.start();
  }

  /**
   * Reads lines until one matches, within the timeout. A daemon thread reads the process's output
   * into a queue and keeps draining it afterwards, so the child never blocks on a full pipe and a
   * silent child cannot hang the test.
   */
  static Matcher awaitLine(Process process, Pattern pattern, List<String> seen)
      throws InterruptedException {
    java.util.concurrent.BlockingQueue<String> lines =
        new java.util.concurrent.LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // The process ended: nothing more to read.
              }
            },
            "process-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      seen.add(line);
      Matcher matcher = pattern.matcher(line);
      if (matcher.find()) {
        return matcher;
      }
    }
    throw new AssertionError("no line matching " + pattern + " in " + seen);
  }

  @Test
  void controllerAndServerStartSayWhereAndStopCleanlyOnSigterm() throws Exception {
    Process controller =
        launch("controller", "--port", "0", "--data-dir", dir.resolve("controller").toString());
    Process server = null;
    try {
      List<String> controllerOut = new ArrayList<>();
      String url =
          awaitLine(
                  controller,
                  Pattern.compile("controller listening on (http://\\S+)"),
                  controllerOut)
              .group(1);

      server =
          launch(
              "server",
              "--controller",
              url,
              "--data-dir",
              dir.resolve("server").toString(),
              "--admin-port",
              "0");
      List<String> serverOut = new ArrayList<>();
      Matcher listening =
          awaitLine(server, Pattern.compile("(Server_\\S+) listening on (http://\\S+)"), serverOut);
      assertThat(listening.group(1)).startsWith("Server_127.0.0.1_");

      server.destroy(); // SIGTERM
      assertThat(server.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(server.exitValue()).as(String.join("\n", serverOut)).isZero();
      controller.destroy();
      assertThat(controller.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(controller.exitValue()).isZero();
    } finally {
      controller.destroyForcibly();
      if (server != null) {
        server.destroyForcibly();
      }
    }
  }

  @Test
  void badConfigFilesAndFlagsAreOneLineAndExitTwo() throws IOException {
    Path typo = dir.resolve("server.yml");
    Files.writeString(
        typo, "controller: http://127.0.0.1:9000\ndataDir: /tmp/x\nmaxParalelDownloads: 3\n");
    CommandLineTest.Run unknownKey = CommandLineTest.run("server", "--config", typo.toString());
    assertThat(unknownKey.exitCode()).isEqualTo(2);
    assertThat(unknownKey.err().strip())
        .doesNotContain("\n")
        .contains("unknown setting [maxParalelDownloads]");

    Path badValue = dir.resolve("server.properties");
    Files.writeString(
        badValue, "controller=http://127.0.0.1:9000\ndataDir=/tmp/x\nlongPoll=soon\n");
    CommandLineTest.Run bad = CommandLineTest.run("server", "--config", badValue.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("longPoll = 'soon' is not a duration");

    CommandLineTest.Run missing =
        CommandLineTest.run("server", "--config", dir.resolve("nope.yml").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read config file");

    CommandLineTest.Run noController = CommandLineTest.run("server", "--data-dir", dir.toString());
    assertThat(noController.exitCode()).isEqualTo(2);
    assertThat(noController.err()).contains("needs a controller URL");

    assertThat(CommandLineTest.run("server", "--admin-port", "many").exitCode()).isEqualTo(2);
    assertThat(CommandLineTest.run("controller", "--data-dir").exitCode()).isEqualTo(2);
  }
}
