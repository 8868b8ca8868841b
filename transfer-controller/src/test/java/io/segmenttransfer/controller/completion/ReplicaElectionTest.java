package io.segmenttransfer.controller.completion;

import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureFiles;
import static io.segmenttransfer.controller.completion.CompletionHarness.server;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several replicas of one consuming segment: one is elected committer (the first to reach the
 * highest offset), the others hold or catch up, and after the commit keep or discard by offset.
 * Time is the harness's clock, moved by the test.
 */
class ReplicaElectionTest {

  static final String SEGMENT = "events__1__0__20261206T1200Z";

  @TempDir Path dir;
  CompletionHarness harness;
  Map<String, byte[]> files = fixtureFiles();

  @AfterEach
  void stop() {
    harness.close();
  }

  CompletionRequest from(int server, String offset) {
    return CompletionRequest.of(SEGMENT, server(server), offset);
  }

  CompletionStatus consumed(int server, String offset) {
    return harness.get("segmentConsumed", from(server, offset)).status();
  }

  CompletionResponse commit(int server, String offset) {
    assertThat(harness.get("segmentCommitStart", from(server, offset)).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);
    return harness.commitEndWithMetadata(
        from(server, offset).withLocation("peer://" + SEGMENT),
        files.get("v3/metadata.properties"),
        files.get("v3/creation.meta"));
  }

  @Test
  void twoReplicasOneCommitsTheOtherKeepsAtTheSameOffset() {
    harness = CompletionHarness.withTable(dir, 2);

    assertThat(consumed(2, "700"))
        .isEqualTo(CompletionStatus.HOLD); // waiting for the second replica
    CompletionResponse first = harness.get("segmentConsumed", from(1, "700"));
    // Both at 700: the first to reach it (server 2) commits; server 1 holds while it does.
    assertThat(first.status()).isEqualTo(CompletionStatus.HOLD);
    assertThat(consumed(2, "700")).isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(1, "700")).status())
        .isEqualTo(CompletionStatus.FAILED);
    assertThat(commit(2, "700").status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);

    CompletionResponse after = harness.get("segmentConsumed", from(1, "700"));
    assertThat(after.status()).isEqualTo(CompletionStatus.KEEP);
    assertThat(after.streamPartitionMsgOffset()).isEqualTo("700");
    assertThat(harness.idealState(SEGMENT)).containsExactlyInAnyOrder(server(2), server(1));
  }

  @Test
  void threeReplicasTheHighestOffsetCommitsOthersHoldCatchUpThenKeepOrDiscard() {
    harness = CompletionHarness.withTable(dir, 3);

    assertThat(consumed(1, "90")).isEqualTo(CompletionStatus.HOLD);
    assertThat(consumed(2, "100")).isEqualTo(CompletionStatus.HOLD);
    // The last expected replica reports: server 2 (100, numerically above 90 and 99) is elected.
    CompletionResponse third = harness.get("segmentConsumed", from(3, "99"));
    assertThat(third.status()).isEqualTo(CompletionStatus.CATCH_UP);
    assertThat(third.streamPartitionMsgOffset()).isEqualTo("100");
    CompletionResponse elected = harness.get("segmentConsumed", from(2, "100"));
    assertThat(elected.status()).isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(2, "100")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);

    // While the commit is in progress: HOLD at the winning offset, CATCH_UP behind it.
    assertThat(consumed(3, "100")).isEqualTo(CompletionStatus.HOLD);
    assertThat(consumed(1, "95")).isEqualTo(CompletionStatus.CATCH_UP);
    assertThat(harness.get("segmentCommitStart", from(3, "100")).status())
        .isEqualTo(CompletionStatus.HOLD);

    assertThat(
            harness
                .commitEndWithMetadata(
                    from(2, "100").withLocation("peer://" + SEGMENT),
                    files.get("v3/metadata.properties"),
                    files.get("v3/creation.meta"))
                .status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);

    assertThat(consumed(3, "100")).isEqualTo(CompletionStatus.KEEP);
    CompletionResponse behind = harness.get("segmentConsumed", from(1, "95"));
    assertThat(behind.status()).isEqualTo(CompletionStatus.DISCARD);
    assertThat(behind.streamPartitionMsgOffset()).isEqualTo("100");
    assertThat(harness.metadata(SEGMENT).path("segment.realtime.endOffset").asText())
        .isEqualTo("100");
    assertThat(harness.idealState(SEGMENT))
        .containsExactlyInAnyOrder(server(2), server(1), server(3));
  }

  @Test
  void aLoneReplicaIsElectedOnceTheHoldWindowHasPassedAndKeepsItsCopy() {
    harness = CompletionHarness.withTable(dir, 2);
    harness.client().register("server3", 8098, 1).block(CompletionHarness.TIMEOUT);

    assertThat(consumed(3, "50")).isEqualTo(CompletionStatus.HOLD);
    harness.clock.advance(CompletionConfig.DEFAULT_HOLD_WINDOW.minusMillis(1));
    assertThat(consumed(3, "50")).isEqualTo(CompletionStatus.HOLD);
    harness.clock.advance(Duration.ofMillis(1));
    assertThat(consumed(3, "50")).isEqualTo(CompletionStatus.COMMIT);
    assertThat(commit(3, "50").status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    // The committer holds it (the planner alone would have picked servers 1 and 2, the least
    // loaded by id); only one replica reported, so the planner tops it up to the replication.
    assertThat(harness.idealState(SEGMENT)).containsExactlyInAnyOrder(server(3), server(1));
  }

  @Test
  void theCommitterComesFirstWhenMoreReplicasReportedThanTheReplication() {
    harness = CompletionHarness.withTable(dir, 1);
    harness.client().register("server2", 8098, 1).block(CompletionHarness.TIMEOUT);

    assertThat(consumed(2, "80"))
        .isEqualTo(CompletionStatus.COMMIT); // replication 1: elected at once
    assertThat(consumed(1, "80")).isEqualTo(CompletionStatus.HOLD);
    assertThat(commit(2, "80").status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);

    assertThat(harness.idealState(SEGMENT)).containsExactly(server(2));
  }

  @Test
  void aReplicaThatStoppedConsumingIsNotWaitedFor() {
    harness = CompletionHarness.withTable(dir, 2);

    assertThat(
            harness
                .get("segmentStoppedConsuming", from(2, "10").withReason("outOfMemory"))
                .status())
        .isEqualTo(CompletionStatus.PROCESSED);
    assertThat(consumed(1, "40")).isEqualTo(CompletionStatus.COMMIT);
  }

  @Test
  void aCommitterPastItsBuildTimeIsReplacedOnTheNextReportUnlessItExtended() {
    harness = CompletionHarness.withTable(dir, 2);
    consumed(1, "300");
    consumed(2, "300");
    assertThat(consumed(1, "300")).isEqualTo(CompletionStatus.COMMIT);

    // An extension by the committer moves its deadline; anyone else's is refused.
    assertThat(harness.get("extendBuildTime", from(2, "300").withExtraTimeSec(60)).status())
        .isEqualTo(CompletionStatus.FAILED);
    harness.clock.advance(CompletionConfig.DEFAULT_BUILD_TIME.minusSeconds(10));
    assertThat(harness.get("extendBuildTime", from(1, "300").withExtraTimeSec(60)).status())
        .isEqualTo(CompletionStatus.PROCESSED);
    harness.clock.advance(Duration.ofSeconds(30)); // past the build time, within the extension
    assertThat(consumed(2, "300")).isEqualTo(CompletionStatus.HOLD);

    harness.clock.advance(Duration.ofSeconds(31)); // past the extension too
    assertThat(consumed(2, "300")).isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(1, "300")).status())
        .isEqualTo(CompletionStatus.FAILED);
    assertThat(commit(2, "300").status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    assertThat(harness.metadata(SEGMENT).path("segment.realtime.committer").asText())
        .isEqualTo(server(2));
  }

  @Test
  void aCommitterReplacedAfterItsCommitStartCannotEndTheCommit() {
    harness = CompletionHarness.withTable(dir, 2);
    consumed(1, "300");
    consumed(2, "200");
    assertThat(consumed(1, "300")).isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(1, "300")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);

    harness.clock.advance(CompletionConfig.DEFAULT_BUILD_TIME.plusSeconds(1));
    assertThat(consumed(2, "200")).isEqualTo(CompletionStatus.COMMIT);
    CompletionResponse late =
        harness.commitEndWithMetadata(
            from(1, "300").withLocation("peer://" + SEGMENT),
            files.get("v3/metadata.properties"),
            files.get("v3/creation.meta"));

    assertThat(late.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(commit(2, "200").status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    assertThat(harness.metadata(SEGMENT).path("segment.realtime.endOffset").asText())
        .isEqualTo("200");
  }
}
