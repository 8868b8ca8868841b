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

    CommandLineTest.Run run = CommandLineTest.run("quickstart", "--segments", "4", "--segment-size-mb", "2",
        "--work-dir", work.toString());

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
        assertThat(segments.filter(p -> p.getFileName().toString().startsWith("quickstart_"))).as(server).hasSize(4);
      }
    }
  }

  @Test
  void runsWithAnS3DeepStoreAndCleansUpItsTemporaryDirectory() throws Exception {
    CommandLineTest.Run run = CommandLineTest.run("quickstart", "--s3", "--segments", "2", "--segment-size-mb", "1");

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("deep store: bucket s3://quickstart on the in-process S3 server")
        .contains("s3://quickstart/deepstore/quickstart_OFFLINE/")
        // The download URLs are S3 URIs: servers and bootstraps read S3 themselves, not via the controller.
        .contains("(source 'deepstore-s3'")
        .contains("sources     deepstore-s3 2 segments")
        .contains("sources     deepstore-s3 1 segment, peer 1 segment")
        .doesNotContain("sources     controller")
        .contains("the peer fallback worked");
    Path work = Path.of(run.out().lines().findFirst().orElseThrow().replace("segment-transfer quickstart in ", ""));
    assertThat(work).doesNotExist();
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
