package io.segmenttransfer.controller.completion;

import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureFiles;
import static io.segmenttransfer.controller.completion.CompletionHarness.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.segment.CreationMeta;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit survives a controller restart and happens exactly once: the COMMITTING record names the
 * committer and its offset, so the committer's retries complete it after the restart, a retried
 * commit end of a DONE segment changes nothing, and other replicas keep or discard.
 */
class CommitRestartTest {

  static final String SEGMENT = "events__2__5__20261206T1200Z";

  @TempDir Path dir;
  CompletionHarness harness;
  Map<String, byte[]> files = fixtureFiles();

  @AfterEach
  void stop() {
    harness.close();
  }

  CompletionRequest from(int server, String offset) {
    return CompletionRequest.of(SEGMENT, server(server), offset).withLocation("peer://" + SEGMENT);
  }

  CompletionResponse commitEnd(int server, String offset, byte[] creationMeta) {
    return harness.commitEndWithMetadata(
        from(server, offset), files.get("v3/metadata.properties"), creationMeta);
  }

  @Test
  void aCommitStartedBeforeARestartIsCompletedOnceAfterIt() {
    harness = CompletionHarness.withTable(dir, 2);
    harness.get("segmentConsumed", from(1, "900"));
    harness.get("segmentConsumed", from(2, "850"));
    assertThat(harness.get("segmentConsumed", from(1, "900")).status())
        .isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(1, "900")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);

    harness.restart();

    // The election is gone, the durable COMMITTING record is not: only its committer may go on.
    assertThat(harness.metadata(SEGMENT).path("segment.realtime.status").asText())
        .isEqualTo("COMMITTING");
    assertThat(harness.get("segmentCommitStart", from(2, "850")).status())
        .isEqualTo(CompletionStatus.HOLD);
    assertThat(commitEnd(2, "850", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.FAILED);
    assertThat(harness.get("segmentCommitStart", from(1, "900")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);
    assertThat(commitEnd(1, "900", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    JsonNode done = harness.metadata(SEGMENT);
    assertThat(done.path("segment.realtime.status").asText()).isEqualTo("DONE");
    assertThat(done.path("segment.realtime.endOffset").asText()).isEqualTo("900");
    assertThat(harness.idealState(SEGMENT)).contains(server(1));

    // Exactly once: the committer's retry answers success again without changing anything.
    assertThat(commitEnd(1, "900", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    harness.restart();
    assertThat(commitEnd(1, "900", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    assertThat(harness.metadata(SEGMENT)).isEqualTo(done);
    // A retry with another build (another CRC) is refused; other replicas keep or discard by
    // offset.
    byte[] otherBuild = new CreationMeta(12345, 1_700_000_000_000L, OptionalLong.empty()).toBytes();
    assertThat(commitEnd(1, "900", otherBuild).status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(commitEnd(2, "900", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.KEEP);
    assertThat(harness.get("segmentCommitStart", from(2, "850")).status())
        .isEqualTo(CompletionStatus.DISCARD);
    assertThat(harness.get("segmentConsumed", from(2, "900")).status())
        .isEqualTo(CompletionStatus.KEEP);
    assertThat(harness.metadata(SEGMENT)).isEqualTo(done);
  }

  @Test
  void aCommitterThatLostItsCommitEndToARestartReportsAgainAndFinishes() {
    harness = CompletionHarness.withTable(dir, 1);
    harness.get("segmentConsumed", from(1, "900"));
    assertThat(harness.get("segmentCommitStart", from(1, "900")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);

    harness.restart(); // the commit end never arrived; the server starts its round over

    // Only at the offset it is committing: a commit in progress is not taken over at another.
    assertThat(harness.get("segmentConsumed", from(1, "950")).status())
        .isEqualTo(CompletionStatus.HOLD);
    assertThat(harness.get("segmentConsumed", from(1, "900")).status())
        .isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(1, "900")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);
    assertThat(commitEnd(1, "900", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    assertThat(harness.metadata(SEGMENT).path("segment.realtime.status").asText())
        .isEqualTo("DONE");
  }

  @Test
  void aConsumingSegmentIsElectedAfreshAfterARestart() {
    harness = CompletionHarness.withTable(dir, 1);
    assertThat(harness.get("segmentConsumed", from(1, "10")).status())
        .isEqualTo(CompletionStatus.COMMIT);

    harness.restart();

    // The election (not yet a commit) was only in memory: commit start holds, the replica reports
    // again.
    assertThat(harness.get("segmentCommitStart", from(1, "10")).status())
        .isEqualTo(CompletionStatus.HOLD);
    assertThat(harness.get("segmentConsumed", from(1, "12")).status())
        .isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.get("segmentCommitStart", from(1, "12")).status())
        .isEqualTo(CompletionStatus.COMMIT_CONTINUE);
    assertThat(commitEnd(1, "12", files.get("v3/creation.meta")).status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
  }

  @Test
  void theNextSegmentOfAPartitionStartsWhereTheCommittedOneEnded() {
    harness = CompletionHarness.withTable(dir, 1);
    harness.get("segmentConsumed", from(1, "4000"));
    harness.get("segmentCommitStart", from(1, "4000"));
    commitEnd(1, "4000", files.get("v3/creation.meta"));

    String next = "events__2__6__20261206T1300Z";
    harness.get("segmentConsumed", CompletionRequest.of(next, server(1), "4100"));

    assertThat(harness.metadata(next).path("segment.realtime.startOffset").asText())
        .isEqualTo("4000");
    assertThat(harness.metadata(next).path("segment.realtime.status").asText())
        .isEqualTo("IN_PROGRESS");
  }
}
