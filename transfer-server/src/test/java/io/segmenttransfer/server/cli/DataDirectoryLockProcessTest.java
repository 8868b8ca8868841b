package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One process per data directory, with real processes: while a {@code server} runs on a data
 * directory, a second {@code server} and the one-shot commands on it are refused with one line
 * naming the holder; once the server stops, they run.
 */
class DataDirectoryLockProcessTest {

  @TempDir Path dir;

  record Finished(int exitCode, String output) {}

  @Test
  void aSecondProcessOnARunningServersDataDirectoryIsRefusedNamingTheServer() throws Exception {
    Path data = dir.resolve("server");
    Process controller =
        ProcessLifecycleTest.launch(
            "controller", "--port", "0", "--data-dir", dir.resolve("controller").toString());
    Process server = null;
    try {
      String url =
          ProcessLifecycleTest.awaitLine(
                  controller,
                  Pattern.compile("controller listening on (http://\\S+)"),
                  new ArrayList<>())
              .group(1);
      server =
          ProcessLifecycleTest.launch(
              "server", "--controller", url, "--data-dir", data.toString(), "--admin-port", "0");
      ProcessLifecycleTest.awaitLine(
          server, Pattern.compile("Server_\\S+ listening on"), new ArrayList<>());
      String holder = "is in use by pid " + server.pid() + " (server, started ";

      Finished second =
          finish(
              ProcessLifecycleTest.launch(
                  "server",
                  "--controller",
                  url,
                  "--data-dir",
                  data.toString(),
                  "--admin-port",
                  "0"));
      assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
      assertThat(second.output().strip())
          .doesNotContain("\n")
          .startsWith("error: data directory " + data.toAbsolutePath())
          .contains(holder)
          .doesNotContain("Exception");

      Finished recover =
          finish(ProcessLifecycleTest.launch("recover", "--data-dir", data.toString()));
      assertThat(recover.exitCode()).isEqualTo(1);
      assertThat(recover.output().strip()).doesNotContain("\n").contains(holder);

      server.destroy(); // SIGTERM: a clean stop releases the directory
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      Finished after =
          finish(ProcessLifecycleTest.launch("recover", "--data-dir", data.toString()));
      assertThat(after.exitCode()).as(after.output()).isZero();
      assertThat(after.output()).contains("nothing to recover").doesNotContain("left by pid");
    } finally {
      controller.destroyForcibly();
      if (server != null) {
        server.destroyForcibly();
      }
    }
  }

  /** Waits for the process to exit and returns everything it wrote. */
  static Finished finish(Process process) throws IOException, InterruptedException {
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Finished(process.exitValue(), output);
  }
}
