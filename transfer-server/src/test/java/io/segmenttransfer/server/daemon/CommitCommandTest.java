package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.server.cli.Main;
import io.segmenttransfer.server.daemon.FakeCompletionController.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segment-transfer commit}: its exit codes against a real server and a fake controller. */
class CommitCommandTest {

  private static final String TABLE = "events_REALTIME";
  private static final String SEGMENT = "events__3__1__20261206T1200Z";

  @TempDir Path dir;
  private FakeCompletionController controller;
  private SegmentServer server;
  private Path built;

  @BeforeEach
  void setUp() throws IOException {
    controller = new FakeCompletionController();
    built =
        TestRealtimeSegment.write(
            Files.createDirectories(dir.resolve("built")), SEGMENT, "17", 10_000, 3);
    CommitConfig fast =
        CommitConfig.defaults()
            .withDeadline(Duration.ofSeconds(1))
            .withRetries(
                Duration.ofMillis(50),
                new RetryPolicy(
                    Integer.MAX_VALUE, Duration.ofMillis(20), 2, Duration.ofMillis(100), 0.2),
                new RetryPolicy(2, Duration.ofMillis(20), 2, Duration.ofMillis(100), 0.2));
    server =
        SegmentServer.start(
                ServerSettings.fromFile(null)
                    .override("controller", controller.baseUrl())
                    .override("dataDir", dir.resolve("server"))
                    .override("adminPort", 0)
                    .override("deepStore", dir.resolve("deepstore").toUri())
                    .toConfig()
                    .withCommit(fast))
            .block(Duration.ofSeconds(30));
  }

  @AfterEach
  void tearDown() {
    server.close();
    controller.close();
  }

  private int commit(String... extra) {
    String[] base = {
      "commit", "--server", server.baseUrl(), "--table", TABLE, "--segment-dir", built.toString()
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Main.run(args);
  }

  @Test
  void committedIsZero() {
    assertThat(commit("--offset", "17", "--json")).isZero();
    assertThat(controller.calls.get(0).param("streamPartitionMsgOffset")).isEqualTo("17");
  }

  @Test
  void keepIsZero() {
    controller.script("/segmentConsumed", Answer.of(CompletionStatus.KEEP));
    assertThat(commit()).isZero();
  }

  @Test
  void discardIsOne() {
    controller.script("/segmentConsumed", Answer.of(CompletionStatus.DISCARD));
    assertThat(commit()).isEqualTo(Main.EXIT_FAILED);
  }

  @Test
  void noDecisionIsOne() {
    for (int i = 0; i < 100; i++) {
      controller.script("/segmentConsumed", Answer.of(CompletionStatus.HOLD));
    }
    assertThat(commit("--json")).isEqualTo(Main.EXIT_FAILED);
  }

  @Test
  void aRefusedSegmentIsOne() throws IOException {
    Files.write(built.resolve("v3/index_map"), new byte[] {9});
    assertThat(commit()).isEqualTo(Main.EXIT_FAILED);
    assertThat(controller.calls).isEmpty();
  }

  @Test
  void badFlagsAreTwo() {
    assertThat(Main.run("commit", "--server", server.baseUrl(), "--segment-dir", built.toString()))
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(
            Main.run(
                "commit",
                "--server",
                server.baseUrl(),
                "--table",
                "events",
                "--segment-dir",
                built.toString()))
        .isEqualTo(Main.EXIT_USAGE);
    assertThat(controller.calls).isEmpty();
  }
}
