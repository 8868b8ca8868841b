package io.segmenttransfer.controller.completion;

import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureCrc;
import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureFiles;
import static io.segmenttransfer.controller.completion.CompletionHarness.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.testing.TestArchives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The older commit forms that carry the archive: {@code segmentUpload} then {@code
 * segmentCommitEnd} (metadata read back out of the stored archive), and the single {@code
 * segmentCommit}.
 */
class ArchiveCommitFormsTest {

  static final String SEGMENT = "events__0__9__20261206T1200Z";

  @TempDir Path dir;
  CompletionHarness harness;

  /** A Pinot 1.5.0 segment's files under this LLC name, as a gzip archive. */
  byte[] archive = TestArchives.archive(Codec.GZIP, SEGMENT, fixtureFiles());

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

  byte[] archivePart(byte[] bytes) {
    return CompletionHarness.multipart(Map.of(SEGMENT, bytes));
  }

  @Test
  void segmentUploadThenSegmentCommitEnd() throws Exception {
    harness.get("segmentConsumed", at("77"));
    // Only the committer, after its commit start, may upload.
    assertThat(harness.post("segmentUpload", at("77"), archivePart(archive)).completion().status())
        .isEqualTo(CompletionStatus.FAILED);
    harness.get("segmentCommitStart", at("77"));

    CompletionResponse upload =
        harness.post("segmentUpload", at("77"), archivePart(archive)).completion();

    assertThat(upload.status()).isEqualTo(CompletionStatus.UPLOAD_SUCCESS);
    String location = upload.segmentLocation();
    assertThat(location).endsWith("/events_REALTIME/" + SEGMENT + ".tar.gz");
    assertThat(Files.readAllBytes(Path.of(java.net.URI.create(location)))).isEqualTo(archive);
    // segmentCommitEnd reads only what segmentUpload stored.
    assertThat(
            harness
                .call(
                    HttpMethod.POST,
                    "/segmentCommitEnd?" + at("77").withLocation("file:///etc/passwd").toQuery(),
                    new byte[0],
                    Map.of())
                .completion()
                .status())
        .isEqualTo(CompletionStatus.FAILED);

    CompletionResponse end =
        harness
            .call(
                HttpMethod.POST,
                "/segmentCommitEnd?" + at("77").withLocation(location).toQuery(),
                new byte[0],
                Map.of())
            .completion();

    assertThat(end.status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    JsonNode done = harness.metadata(SEGMENT);
    assertThat(done.path("segment.realtime.status").asText()).isEqualTo("DONE");
    assertThat(done.path("segment.crc").asText()).isEqualTo(Long.toString(fixtureCrc()));
    assertThat(done.path("segment.total.docs").asText()).isEqualTo("20000");
    // The archive lies in the controller's local deep store: the URL is the controller's own.
    assertThat(done.path("segment.download.url").asText())
        .isEqualTo(harness.controller.baseUrl() + "/segments/events/" + SEGMENT);
    assertThat(done.path("segment.size.in.bytes").asLong()).isEqualTo(archive.length);
    assertThat(harness.idealState(SEGMENT)).containsExactly(server(1));
  }

  @Test
  void segmentCommitCarriesTheArchiveInOneRequest() {
    harness.get("segmentConsumed", at("78"));

    CompletionResponse commit =
        harness.post("segmentCommit", at("78"), archivePart(archive)).completion();

    assertThat(commit.status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS);
    JsonNode done = harness.metadata(SEGMENT);
    assertThat(done.path("segment.realtime.status").asText()).isEqualTo("DONE");
    assertThat(done.path("segment.crc").asText()).isEqualTo(Long.toString(fixtureCrc()));
    assertThat(done.path("segment.download.url").asText())
        .isEqualTo(harness.controller.baseUrl() + "/segments/events/" + SEGMENT);
    assertThat(done.path("segment.realtime.endOffset").asText()).isEqualTo("78");
  }

  @Test
  void anArchiveOfAnotherSegmentOrACorruptOneIsRefusedAndNotStored() {
    harness.get("segmentConsumed", at("79"));
    byte[] other = TestArchives.archive(Codec.GZIP, "events__0__8__20261206T1100Z", fixtureFiles());
    byte[] truncated = java.util.Arrays.copyOf(archive, archive.length / 2);

    assertThat(harness.post("segmentCommit", at("79"), archivePart(other)).completion().status())
        .isEqualTo(CompletionStatus.FAILED);
    assertThat(
            harness.post("segmentCommit", at("79"), archivePart(truncated)).completion().status())
        .isEqualTo(CompletionStatus.FAILED);

    assertThat(harness.metadata(SEGMENT).path("segment.realtime.status").asText())
        .isEqualTo("COMMITTING");
    assertThat(harness.controller.deepStore().resolve("events_REALTIME/" + SEGMENT + ".tar.gz"))
        .satisfies(uri -> assertThat(Path.of(uri)).doesNotExist());
    // The committer may try again with a good archive.
    assertThat(harness.post("segmentCommit", at("79"), archivePart(archive)).completion().status())
        .isEqualTo(CompletionStatus.COMMIT_SUCCESS);
  }
}
