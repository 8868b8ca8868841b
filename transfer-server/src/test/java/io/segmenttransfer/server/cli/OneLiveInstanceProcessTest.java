package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real processes: a second server under a live server's {@code --instance-id} exits 1 with one
 * line naming where the first runs, and the first keeps its registration; a controller that cannot
 * write its state directory does not start.
 */
class OneLiveInstanceProcessTest {

  @TempDir Path dir;

  @Test
  void aSecondServerUnderALiveInstanceIdExitsWithOneLine() throws Exception {
    Process controller =
        ProcessLifecycleTest.launch(
            "controller", "--port", "0", "--data-dir", dir.resolve("controller").toString());
    Process first = null;
    try {
      String url =
          ProcessLifecycleTest.awaitLine(
                  controller,
                  Pattern.compile("controller listening on (http://\\S+)"),
                  new ArrayList<>())
              .group(1);
      first =
          ProcessLifecycleTest.launch(
              "server",
              "--controller",
              url,
              "--data-dir",
              dir.resolve("a").toString(),
              "--admin-port",
              "0",
              "--instance-id",
              "server-7");
      Matcher listening =
          ProcessLifecycleTest.awaitLine(
              first,
              Pattern.compile("server-7 listening on http://127.0.0.1:(\\d+)"),
              new ArrayList<>());
      String firstPort = listening.group(1);

      DataDirectoryLockProcessTest.Finished second =
          DataDirectoryLockProcessTest.finish(
              ProcessLifecycleTest.launch(
                  "server",
                  "--controller",
                  url,
                  "--data-dir",
                  dir.resolve("b").toString(),
                  "--admin-port",
                  "0",
                  "--instance-id",
                  "server-7"));
      assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
      assertThat(second.output().strip())
          .doesNotContain("\n")
          .startsWith("error: instance server-7 is live at 127.0.0.1:" + firstPort)
          .doesNotContain("Exception");

      // The first keeps its registration.
      String record =
          new String(
              java.net.URI.create(url + "/instances/server-7").toURL().openStream().readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(record).contains("\"adminPort\":" + firstPort);
    } finally {
      controller.destroyForcibly();
      if (first != null) {
        first.destroyForcibly();
      }
    }
  }

  @Test
  void aControllerThatCannotWriteItsStateExitsOneWithOneLine() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");
    DataDirectoryLockProcessTest.Finished run =
        DataDirectoryLockProcessTest.finish(
            ProcessLifecycleTest.launch(
                "controller", "--port", "0", "--data-dir", file.resolve("c").toString()));
    assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
    assertThat(run.output().strip())
        .doesNotContain("\n")
        .isEqualTo(
            "error: cannot write the controller's state directory "
                + file.resolve("c/state")
                + " (Not a directory): give --data-dir a directory this user can write");
  }
}
