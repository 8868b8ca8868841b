package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quickstart} end to end in this JVM, on small segments to keep the suite quick. */
class QuickstartCommandTest {

  @TempDir Path dir;

  @Test
  void runsTheWholeStoryWithTheLocalDeepStoreAndShowsThePeerFallback() throws Exception {
    Path work = dir.resolve("work");

    CommandLineTest.Run run =
        CommandLineTest.run(
            "quickstart",
            "--segments",
            "4",
            "--segment-size-mb",
            "2",
            "--work-dir",
            work.toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("generated 4 segments of table quickstart_OFFLINE")
        .contains("every segment ONLINE on 2 servers")
        .contains("4: 0 kept, 4 downloaded, 0 replaced, 0 failed")
        .contains("sources     controller 4 segments")
        .contains("sources     controller 3 segments, peer 1 segment")
        .contains("the peer fallback worked")
        .containsPattern("downloaded quickstart_\\d+_\\d+_2 [0-9,]+ bytes \\d+ ms from peer\n")
        .contains("MB/s");
    for (String server : new String[] {"server-a", "server-b", "server-c", "server-d"}) {
      try (Stream<Path> segments = Files.list(work.resolve(server).resolve("quickstart_OFFLINE"))) {
        assertThat(segments.filter(p -> p.getFileName().toString().startsWith("quickstart_")))
            .as(server)
            .hasSize(4);
      }
    }
    assertCommitStory(run.out());
    assertThat(run.out())
        .contains("[8] deep store down: moved deepstore/ aside and put a plain file in its place")
        .contains("deep store back: put deepstore/ back")
        .containsPattern(
            "had [AB] upload its copy in [0-9,]+ ms:\n    file://\\S+/deepstore/quickstart_REALTIME/"
                + "quickstart__0__0__\\d{8}T\\d{4}Z\\.tar\\.gz\n")
        // A local-directory deep store: the controller's own download URL, as for the offline
        // segments.
        .containsPattern(
            "download URL now http://127\\.0\\.0\\.1:\\d+/segments/quickstart/quickstart__0__0__")
        .contains("sources     controller 1 segment\n")
        .contains("E's from the deep store after the repair (source 'controller').");
    String segment =
        run.out().replaceAll("(?s).*server A built segment\\s+(quickstart__0__0__\\S+) .*", "$1");
    assertThat(work.resolve("deepstore")).isDirectory();
    assertThat(
            work.resolve("deepstore").resolve("quickstart_REALTIME").resolve(segment + ".tar.gz"))
        .isRegularFile();
    for (String server : new String[] {"server-a", "server-b", "server-e"}) {
      assertThat(work.resolve(server).resolve("quickstart_REALTIME").resolve(segment))
          .as(server)
          .isDirectory();
    }
    assertThat(work.resolve("consuming").resolve(segment))
        .as("the built directory is left as it was")
        .isDirectory();
  }

  /** Steps 7-12 as either deep store tells them. */
  private static void assertCommitStory(String out) {
    assertThat(out)
        .contains(
            "[7] created table quickstart_REALTIME (replication 2, peer download over http); server A built segment")
        .containsPattern("\\[9\\] A commits it at offset \\d+ ")
        .containsPattern(
            "COMMIT_SUCCESS in [0-9,]+ ms, download URL \"\" \\(peers only\\); A's background upload")
        .contains("failed and was given up; the controller's record: DONE, CRC ")
        .contains(
            "[10] B, assigned it at the commit, got it from A, the only replica holding it, as a peer:")
        .contains("all from source 'peer'; ONLINE on A and B")
        .contains("found 1 segment\n    missing from the deep store")
        .contains(
            "[12] server E bootstraps a fresh data dir with quickstart_REALTIME, from the deep store:")
        .contains("segments    1: 0 kept, 1 downloaded, 0 replaced, 0 failed")
        .containsPattern(
            "the commit story held: CRC \\d+ everywhere \\(built, committed, A, B, E\\); B's copy came from peer A")
        .containsPattern("\ndone in [0-9.]+ s; shutting down.\n$");
    // One CRC for the whole story.
    String crc = out.replaceAll("(?s).*the commit story held: CRC (\\d+) .*", "$1");
    assertThat(out)
        .contains("bytes, CRC " + crc + ", in consuming/")
        .contains("DONE, CRC " + crc + ", download URL");
  }

  @Test
  void runsWithAnS3DeepStoreAndCleansUpItsTemporaryDirectory() throws Exception {
    CommandLineTest.Run run =
        CommandLineTest.run("quickstart", "--s3", "--segments", "2", "--segment-size-mb", "1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("deep store: bucket s3://quickstart on the in-process S3 server")
        .contains("s3://quickstart/deepstore/quickstart_OFFLINE/")
        // The download URLs are S3 URIs: servers and bootstraps read S3 themselves, not via the
        // controller.
        .contains("(source 'deepstore-s3'")
        .contains("sources     deepstore-s3 2 segments")
        .contains("sources     deepstore-s3 1 segment, peer 1 segment")
        .doesNotContain("sources     controller")
        .contains("the peer fallback worked");
    Path work =
        Path.of(
            run.out()
                .lines()
                .findFirst()
                .orElseThrow()
                .replace("segment-transfer quickstart in ", ""));
    assertThat(work).doesNotExist();
    assertCommitStory(run.out());
    assertThat(run.out())
        .containsPattern(
            "\\[8\\] deep store down: stopped the S3 server \\(port \\d+ refuses connections\\)")
        .containsPattern("deep store back: started the S3 server again on port \\d+")
        .containsPattern(
            "download URL now s3://quickstart/deepstore/quickstart_REALTIME/quickstart__0__0__\\d{8}T\\d{4}Z\\.tar\\.gz")
        .contains("sources     deepstore-s3 1 segment\n")
        .contains("E's from the deep store after the repair (source 'deepstore-s3').");
  }

  @Test
  void badFlagsExitWithTwo() throws Exception {
    assertThat(CommandLineTest.run("quickstart", "--segments", "1").exitCode()).isEqualTo(2);
    assertThat(CommandLineTest.run("quickstart", "--segment-size-mb", "0").exitCode()).isEqualTo(2);
    assertThat(CommandLineTest.run("quickstart", "--bogus").exitCode()).isEqualTo(2);
    Files.writeString(dir.resolve("occupied"), "x");
    CommandLineTest.Run occupied = CommandLineTest.run("quickstart", "--work-dir", dir.toString());
    assertThat(occupied.exitCode()).isEqualTo(2);
    assertThat(occupied.err()).contains("must be empty or absent");
    CommandLineTest.Run help = CommandLineTest.run("quickstart", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage:").contains("--s3").contains("--work-dir");
  }
}
