package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands stopped by a signal, as real processes: {@code quickstart} stops what it started,
 * deletes its work directory and says so, exiting 130 (SIGINT) or 143 (SIGTERM); a one-shot command
 * on a data directory says the directory is left as after a crash.
 */
class InterruptedCommandsTest {

  @TempDir Path dir;

  @Test
  void quickstartStoppedBySigtermWhileItsServersRunCleansUpAndExits143() throws Exception {
    interruptQuickstart(Pattern.compile("^\\[3\\]"), false, 143);
  }

  @Test
  void quickstartStoppedBySigintAtItsFirstStepCleansUpAndExits130() throws Exception {
    interruptQuickstart(null, true, 130);
  }

  private void interruptQuickstart(Pattern when, boolean sigint, int expectedExit)
      throws Exception {
    ProcessOutput quickstart =
        ProcessOutput.launch(
            dir.resolve("quickstart.log"),
            "quickstart",
            "--segments",
            "4",
            "--segment-size-mb",
            "2");
    try {
      Path work =
          Path.of(
              quickstart.await(Pattern.compile("segment-transfer quickstart in (\\S+)")).group(1));
      if (when != null) {
        quickstart.await(when);
      }
      assertThat(work).isDirectory();
      if (sigint) {
        Process kill =
            new ProcessBuilder("kill", "-INT", Long.toString(quickstart.process().pid())).start();
        assertThat(kill.waitFor()).isZero();
      } else {
        quickstart.process().destroy(); // SIGTERM
      }
      assertThat(quickstart.exit()).as(quickstart.all()).isEqualTo(expectedExit);
      quickstart.await(Pattern.compile("^interrupted, cleaned up$"));
      assertThat(work).doesNotExist();
      assertThat(quickstart.all()).doesNotContain("Exception").doesNotContain("\tat ");
    } finally {
      quickstart.process().destroyForcibly();
    }
  }

  @Test
  void anExtractStoppedMidDownloadSaysTheDataDirectoryIsLeftAsAfterACrash() throws Exception {
    Path data = dir.resolve("data");
    // A source that accepts the connection and never answers: the download is in progress.
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ProcessOutput extract =
          ProcessOutput.launch(
              dir.resolve("extract.log"),
              "extract",
              "--archive",
              "http://127.0.0.1:" + silent.getLocalPort() + "/events.tar.gz",
              "--to",
              data.toString(),
              "--table",
              "events_OFFLINE");
      try (Socket connected = silent.accept()) {
        extract.process().destroy(); // SIGTERM
        assertThat(extract.exit()).as(extract.all()).isEqualTo(143);
        assertThat(extract.all().strip())
            .isEqualTo(
                "interrupted: data directory "
                    + data.toAbsolutePath()
                    + " is left as after a crash: a segment being swapped in is finished or rolled"
                    + " back by the next 'recover --data-dir', load, bootstrap or server start on"
                    + " it");
      } finally {
        extract.process().destroyForcibly();
      }
    }
  }
}
