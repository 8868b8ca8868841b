package io.segmenttransfer.server.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which unpacked applications a new unpack removes: other jars' directories unused for a day or
 * beyond the most recent few, never one a JVM runs from, never a directory the launcher did not
 * make.
 */
class CachePrunerTest {

  @TempDir Path cache;

  /** An unpacked application's directory, last used {@code age} ago, with an archive inside. */
  private Path unpacked(String hex16, Duration age) throws IOException {
    Path dir = Files.createDirectories(cache.resolve(UnpackedApplication.DIR_PREFIX + hex16));
    Files.write(dir.resolve(UnpackedApplication.FILE_NAME), new byte[] {1});
    Files.write(
        Files.createDirectories(dir.resolve("cds")).resolve("extract-0.jsa"), new byte[] {2});
    Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minus(age)));
    return dir;
  }

  @Test
  void directoriesUnusedForADayGoAndRecentOnesStay() throws IOException {
    Path current = unpacked("0000000000000000", Duration.ZERO);
    Path recent = unpacked("1111111111111111", Duration.ofHours(1));
    Path stale = unpacked("2222222222222222", Duration.ofDays(2));

    CachePruner.prune(cache, current);

    assertThat(current).isDirectory();
    assertThat(recent).isDirectory();
    assertThat(stale).doesNotExist();
  }

  @Test
  void onlyTheMostRecentFewAreKeptWhateverTheirAge() throws IOException {
    Path current = unpacked("0000000000000000", Duration.ZERO);
    List<Path> others = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      others.add(unpacked(Integer.toString(i).repeat(16), Duration.ofMinutes(i)));
    }

    CachePruner.prune(cache, current);

    // The current one and the KEEP_RECENT - 1 most recently used others.
    assertThat(others.subList(0, CachePruner.KEEP_RECENT - 1)).allMatch(Files::isDirectory);
    assertThat(others.subList(CachePruner.KEEP_RECENT - 1, others.size())).noneMatch(Files::exists);
    assertThat(current).isDirectory();
  }

  /** A JVM of its own that holds a file's lock shared, as one started from the directory does. */
  private static final String HOLDER =
      """
      import java.nio.channels.FileChannel;
      import java.nio.file.Path;
      import java.nio.file.StandardOpenOption;

      public class Holder {
        public static void main(String[] args) throws Exception {
          FileChannel channel =
              FileChannel.open(
                  Path.of(args[0]),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          channel.lock(0, Long.MAX_VALUE, true);
          System.out.println("locked");
          System.out.flush();
          System.in.read();
        }
      }
      """;

  @Test
  void aDirectoryAnotherJvmRunsFromStays() throws Exception {
    Path current = unpacked("0000000000000000", Duration.ZERO);
    Path running = unpacked("3333333333333333", Duration.ofDays(5));
    Path source = Files.writeString(cache.resolve("Holder.java"), HOLDER);
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                source.toString(),
                running.resolve(InUseLock.FILE_NAME).toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("locked");

      CachePruner.prune(cache, current);

      assertThat(running.resolve(UnpackedApplication.FILE_NAME)).isRegularFile();
    } finally {
      holder.destroy();
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    // Once that JVM is gone (and the directory's time, which its lock file moved, is old again),
    // the next prune removes the directory.
    Files.setLastModifiedTime(running, FileTime.from(Instant.now().minus(Duration.ofDays(5))));
    CachePruner.prune(cache, current);
    assertThat(running).doesNotExist();
  }

  @Test
  void aDirectoryThisJvmRunsFromStays() throws IOException {
    Path current = unpacked("0000000000000000", Duration.ZERO);
    Path held = unpacked("4444444444444444", Duration.ofDays(5));
    assertThat(InUseLock.holdShared(held)).isTrue();

    CachePruner.prune(cache, current);

    assertThat(held.resolve(UnpackedApplication.FILE_NAME)).isRegularFile();
  }

  @Test
  void directoriesTheLauncherDidNotMakeStay() throws IOException {
    Path current = unpacked("0000000000000000", Duration.ZERO);
    Path notHex = Files.createDirectories(cache.resolve("app-settings"));
    Path empty = Files.createDirectories(cache.resolve("app-5555555555555555"));
    Path cds = Files.createDirectories(cache.resolve("cds"));
    for (Path dir : List.of(notHex, empty, cds)) {
      Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minus(Duration.ofDays(9))));
    }

    CachePruner.prune(cache, current);

    assertThat(notHex).isDirectory();
    assertThat(empty).isDirectory();
    assertThat(cds).isDirectory();
  }
}
