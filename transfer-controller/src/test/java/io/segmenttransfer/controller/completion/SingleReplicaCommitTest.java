package io.segmenttransfer.controller.completion;

import static io.segmenttransfer.controller.completion.CompletionHarness.TIMEOUT;
import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureCrc;
import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureFiles;
import static io.segmenttransfer.controller.completion.CompletionHarness.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One replica commits a consuming segment with the split commit a Pinot 1.x server uses. */
class SingleReplicaCommitTest {

  static final String SEGMENT = "events__0__3__20261206T1200Z";

  @TempDir Path dir;
  CompletionHarness harness;
  Map<String, byte[]> files = fixtureFiles();

  @BeforeEach
  void start() {
    harness = CompletionHarness.withTable(dir, 1);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  CompletionRequest at(String offset) {
    return CompletionRequest.of(SEGMENT, server(1), offset);
  }

  @Test
  void consumedCommitStartAndCommitEndWithMetadataCommitWithoutTouchingTheDeepStore() {
    CompletionResponse consumed = harness.get("segmentConsumed", at("1500").withReason("rowLimit"));
    assertThat(consumed.status()).isEqualTo(CompletionStatus.COMMIT);
    assertThat(consumed.streamPartitionMsgOffset()).isEqualTo("1500");
    assertThat(consumed.buildTimeSec()).isEqualTo(CompletionConfig.DEFAULT_BUILD_TIME.toSeconds());
    JsonNode inProgress = harness.metadata(SEGMENT);
    assertThat(inProgress.path("segment.realtime.status").asText()).isEqualTo("IN_PROGRESS");
    assertThat(inProgress.path("segment.realtime.numReplicas").asText()).isEqualTo("1");
    assertThat(harness.idealState(SEGMENT)).isNull();

    CompletionResponse start = harness.get("segmentCommitStart", at("1500"));
    assertThat(start.status()).isEqualTo(CompletionStatus.COMMIT_CONTINUE);
    JsonNode committing = harness.metadata(SEGMENT);
    assertThat(committing.path("segment.realtime.status").asText()).isEqualTo("COMMITTING");
    assertThat(committing.path("segment.realtime.committer").asText()).isEqualTo(server(1));
    assertThat(harness.idealState(SEGMENT)).isNull();

    String location =
        harness.controller.deepStore().resolve("events_REALTIME/" + SEGMENT + ".tar.gz").toString();
    CompletionResponse end =
        harness.commitEndWithMetadata(
            at("1500").withLocation(location).withSizes(123_456, 0, 900),
            files.get("v3/metadata.properties"),
            files.get("v3/creation.meta"));

    assertThat(end.status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    JsonNode done = harness.metadata(SEGMENT);
    assertThat(done.path("segment.realtime.status").asText()).isEqualTo("DONE");
    assertThat(done.path("segment.crc").asText()).isEqualTo(Long.toString(fixtureCrc()));
    assertThat(done.path("segment.creation.time").asLong()).isPositive();
    assertThat(done.path("segment.total.docs").asText()).isEqualTo("20000");
    assertThat(done.path("segment.start.time").asText()).isEqualTo("1700000000112");
    assertThat(done.path("segment.end.time").asText()).isEqualTo("1700003599988");
    assertThat(done.path("segment.time.unit").asText()).isEqualTo("MILLISECONDS");
    assertThat(done.path("segment.index.version").asText()).isEqualTo("v3");
    assertThat(done.path("segment.size.in.bytes").asText()).isEqualTo("123456");
    // A local-directory deep store is served by the controller, under its own URL.
    assertThat(done.path("segment.download.url").asText())
        .isEqualTo(harness.controller.baseUrl() + "/segments/events/" + SEGMENT);
    assertThat(done.path("segment.realtime.endOffset").asText()).isEqualTo("1500");
    assertThat(harness.idealState(SEGMENT)).containsExactly(server(1));
    Assignment assignment =
        harness.client().assignment(server(1), -1, Duration.ZERO).block(TIMEOUT);
    assertThat(assignment.segments()).extracting(m -> m.segmentName()).containsExactly(SEGMENT);
    // The commit took the metadata from the request: no deep-store read, write or stat at all (and
    // no server was asked anything: nothing listens on the registered server's port).
    assertThat(harness.store.total()).isZero();
  }

  @Test
  void aPeerLocationIsRecordedAsPeersOnly() {
    harness.get("segmentConsumed", at("10"));
    harness.get("segmentCommitStart", at("10"));

    CompletionResponse end =
        harness.commitEndWithMetadata(
            at("10").withLocation("peer://" + SEGMENT),
            files.get("v3/metadata.properties"),
            files.get("v3/creation.meta"));

    assertThat(end.status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    assertThat(harness.metadata(SEGMENT).path("segment.download.url").isTextual()).isTrue();
    assertThat(harness.metadata(SEGMENT).path("segment.download.url").asText()).isEmpty();
  }

  @Test
  void theCrypterTheCommitterEncryptedItsUploadWithIsRecordedForReaders() {
    harness.get("segmentConsumed", at("10"));
    harness.get("segmentCommitStart", at("10"));
    Map<String, byte[]> parts = new java.util.LinkedHashMap<>();
    parts.put("metadata.properties", files.get("v3/metadata.properties"));
    parts.put("creation.meta", files.get("v3/creation.meta"));

    CompletionResponse end =
        harness
            .call(
                io.netty.handler.codec.http.HttpMethod.POST,
                "/segmentCommitEndWithMetadata?"
                    + at("10").withLocation("peer://" + SEGMENT).toQuery()
                    + "&crypter=TinkStreamingAeadCrypter",
                CompletionHarness.multipart(parts),
                Map.of(
                    "Content-Type", "multipart/form-data; boundary=" + CompletionHarness.BOUNDARY))
            .completion();

    assertThat(end.status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    assertThat(harness.metadata(SEGMENT).path("segment.crypter").asText())
        .isEqualTo("TinkStreamingAeadCrypter");
  }

  @Test
  void withoutACrypterParameterNoCrypterIsRecorded() {
    harness.get("segmentConsumed", at("10"));
    harness.get("segmentCommitStart", at("10"));

    harness.commitEndWithMetadata(
        at("10").withLocation("peer://" + SEGMENT),
        files.get("v3/metadata.properties"),
        files.get("v3/creation.meta"));

    assertThat(harness.metadata(SEGMENT).has("segment.crypter")).isFalse();
  }

  @Test
  void aMalformedCreationMetaFailsAndRecordsNothing() {
    harness.get("segmentConsumed", at("10"));
    harness.get("segmentCommitStart", at("10"));
    JsonNode before = harness.metadata(SEGMENT);

    CompletionResponse end =
        harness.commitEndWithMetadata(
            at("10").withLocation("peer://" + SEGMENT),
            files.get("v3/metadata.properties"),
            new byte[] {0, 0, 0, 1, 2});

    assertThat(end.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(harness.metadata(SEGMENT)).isEqualTo(before);
    assertThat(harness.idealState(SEGMENT)).isNull();
    // The committer can still finish with good files.
    assertThat(
            harness
                .commitEndWithMetadata(
                    at("10").withLocation("peer://" + SEGMENT),
                    files.get("v3/metadata.properties"),
                    files.get("v3/creation.meta"))
                .status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
  }

  @Test
  void aCommitEndWithoutBothPartsOrFromAnotherPeerNameFails() {
    harness.get("segmentConsumed", at("10"));
    harness.get("segmentCommitStart", at("10"));

    CompletionHarness.Reply onePart =
        harness.post(
            "segmentCommitEndWithMetadata",
            at("10").withLocation("peer://" + SEGMENT),
            CompletionHarness.multipart(Map.of("creation.meta", files.get("v3/creation.meta"))));
    CompletionResponse wrongPeer =
        harness.commitEndWithMetadata(
            at("10").withLocation("peer://events__0__4__x"),
            files.get("v3/metadata.properties"),
            files.get("v3/creation.meta"));

    assertThat(onePart.completion().status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(wrongPeer.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(harness.metadata(SEGMENT).path("segment.realtime.status").asText())
        .isEqualTo("COMMITTING");
  }

  @Test
  void anUnknownTableOrANonLlcNameFailsAndAMessageWithoutInstanceIs400() {
    assertThat(
            harness
                .get(
                    "segmentConsumed",
                    CompletionRequest.of("clicks__0__0__20261206T1200Z", server(1), "5"))
                .status())
        .isEqualTo(CompletionStatus.FAILED);
    assertThat(
            harness
                .get("segmentConsumed", CompletionRequest.of("events_0", server(1), "5"))
                .status())
        .isEqualTo(CompletionStatus.FAILED);
    assertThat(
            harness
                .call(
                    HttpMethod.GET,
                    "/segmentConsumed?name=" + SEGMENT + "&streamPartitionMsgOffset=5",
                    null,
                    Map.of())
                .status())
        .isEqualTo(400);
    assertThat(harness.metadata(SEGMENT)).isNull();
  }

  @Test
  void theTableNameParameterNamesTheTableOfAnyName() {
    CompletionResponse consumed =
        harness
            .call(
                HttpMethod.GET,
                "/segmentConsumed?"
                    + CompletionRequest.of("uploaded_7", server(1), "3").toQuery()
                    + "&tableName=events",
                null,
                Map.of())
            .completion();

    assertThat(consumed.status()).isEqualTo(CompletionStatus.COMMIT);
    assertThat(harness.metadata("uploaded_7").path("segment.realtime.status").asText())
        .isEqualTo("IN_PROGRESS");
  }
}
