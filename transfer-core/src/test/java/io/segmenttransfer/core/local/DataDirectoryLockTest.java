package io.segmenttransfer.core.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.StateConflictException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data-directory lock between real processes, and within one JVM. */
class DataDirectoryLockTest {

  @TempDir Path dir;

  @Test
  void aSecondProcessIsRefusedNamingTheHolderAndGetsItOnceTheHolderExits() throws Exception {
    Path dataDir = dir.resolve("data");
    Process holder = holder(dataDir);
    try {
      String first = firstLine(holder);
      assertThat(first).isEqualTo("locked by " + holder.pid());

      // Another JVM: refused, one line naming the holder's pid and command.
      Process second = holder(dataDir);
      String refused = firstLine(second);
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isEqualTo(1);
      assertThat(refused)
          .startsWith("refused: data directory " + dataDir.toAbsolutePath())
          .contains("is in use by pid " + holder.pid() + " (holder-test, started ")
          .contains("give this command another --data-dir");

      // This JVM too.
      assertThatThrownBy(() -> DataDirectoryLock.acquire(dataDir, "test"))
          .isInstanceOf(StateConflictException.class)
          .hasMessageContaining("in use by pid " + holder.pid());

      // A clean exit empties the file: the next holder sees no crash.
      holder.getOutputStream().close();
      assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).isZero();
      try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir, "test")) {
        assertThat(lock.previousHolder()).isEmpty();
        assertThat(lock.holder().pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Files.readString(lock.file())).contains("pid=" + lock.holder().pid());
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void aKilledHolderLeavesAStaleLockThatIsTakenOverAndReported() throws Exception {
    Path dataDir = dir.resolve("data");
    Process holder = holder(dataDir);
    try {
      assertThat(firstLine(holder)).startsWith("locked by ");
      holder.destroyForcibly(); // SIGKILL: no shutdown hook, no clean release
      assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();

      // The file still names the dead holder, but the kernel released its lock.
      assertThat(Files.readString(dataDir.resolve(DataDirectoryLock.FILE_NAME)))
          .contains("pid=" + holder.pid());
      try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir, "test")) {
        assertThat(lock.previousHolder())
            .hasValueSatisfying(
                previous -> {
                  assertThat(previous.pid()).isEqualTo(holder.pid());
                  assertThat(previous.command()).isEqualTo("holder-test");
                });
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void releasedLocksCanBeTakenAgainAndCloseIsIdempotent() {
    Path dataDir = dir.resolve("a/b");
    DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir, "test");
    assertThat(dataDir).isDirectory();
    lock.close();
    lock.close();
    try (DataDirectoryLock again = DataDirectoryLock.acquire(dataDir, "test")) {
      assertThat(again.previousHolder()).isEmpty();
    }
  }

  @Test
  void aFileIsNotADataDirectory() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> DataDirectoryLock.acquire(file, "test"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("data directory " + file.toAbsolutePath() + " is not a directory");
  }

  private static Process holder(Path dataDir) throws IOException {
    return new ProcessBuilder(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                LockHolderProcess.class.getName(),
                dataDir.toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** The child's first line; a child that says nothing ends the read when it exits. */
  private static String firstLine(Process process) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = in.readLine();
    assertThat(line).as("the child's first line").isNotNull();
    return line;
  }
}
