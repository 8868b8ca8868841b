package io.segmenttransfer.controller.completion;

import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureCrc;
import static io.segmenttransfer.controller.completion.CompletionHarness.fixtureFiles;
import static io.segmenttransfer.controller.completion.CompletionHarness.server;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.CompletionRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUT /segments/{tableNameWithType}/{segment}/downloadUrl}: after a commit with {@code
 * peer://}, the committer's background upload attaches the archive's URL, only to a completed
 * segment with the same CRC.
 */
class DownloadUrlUpdateTest {

  static final String SEGMENT = "events__3__0__20261206T1200Z";
  static final String URL = "s3://deep/events_REALTIME/" + SEGMENT + ".tar.gz";

  @TempDir Path dir;
  CompletionHarness harness;

  @BeforeEach
  void start() {
    harness = CompletionHarness.withTable(dir, 1);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  CompletionHarness.Reply put(String segment, String url, String crc) {
    ObjectNode body =
        CompletionHarness.JSON.createObjectNode().put("downloadUrl", url).put("crc", crc);
    return harness.call(
        HttpMethod.PUT,
        "/segments/events_REALTIME/" + segment + "/downloadUrl",
        body.toString().getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/json"));
  }

  void commitPeersOnly() {
    CompletionRequest request =
        CompletionRequest.of(SEGMENT, server(1), "5").withLocation("peer://" + SEGMENT);
    harness.get("segmentConsumed", request);
    harness.get("segmentCommitStart", request);
    Map<String, byte[]> files = fixtureFiles();
    harness.commitEndWithMetadata(
        request, files.get("v3/metadata.properties"), files.get("v3/creation.meta"));
  }

  @Test
  void setsOnlyTheUrlOfACompletedSegmentWithTheSameCrc() {
    commitPeersOnly();
    JsonNode before = harness.metadata(SEGMENT);
    long version =
        harness
            .client()
            .assignment(server(1), -1, Duration.ZERO)
            .block(CompletionHarness.TIMEOUT)
            .version();

    CompletionHarness.Reply reply = put(SEGMENT, URL, Long.toString(fixtureCrc()));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("segment.download.url").asText()).isEqualTo(URL);
    JsonNode after = harness.metadata(SEGMENT);
    assertThat(after).isEqualTo(reply.json());
    ObjectNode expected = before.deepCopy();
    expected.put("segment.download.url", URL);
    assertThat(after).isEqualTo(expected);
    // The holder learns the new URL (same CRC: it keeps its copy).
    Assignment assignment =
        harness
            .client()
            .assignment(server(1), version, Duration.ZERO)
            .block(CompletionHarness.TIMEOUT);
    assertThat(assignment.version()).isGreaterThan(version);
    assertThat(assignment.segments().get(0).downloadUrl()).contains(URL);
  }

  @Test
  void refusesAnotherCrcAnUnfinishedCommitAnUnknownSegmentAndABadBody() {
    harness.get("segmentConsumed", CompletionRequest.of(SEGMENT, server(1), "5"));

    assertThat(put(SEGMENT, URL, "1").status()).isEqualTo(409); // IN_PROGRESS
    commitPeersOnly();
    assertThat(put(SEGMENT, URL, Long.toString(fixtureCrc() + 1)).status()).isEqualTo(409);
    assertThat(put("events__3__1__20261206T1300Z", URL, "1").status()).isEqualTo(404);
    assertThat(
            harness
                .call(
                    HttpMethod.PUT,
                    "/segments/events_REALTIME/" + SEGMENT + "/downloadUrl",
                    "{\"crc\": \"1\"}".getBytes(StandardCharsets.UTF_8),
                    Map.of())
                .status())
        .isEqualTo(400);
    assertThat(harness.metadata(SEGMENT).path("segment.download.url").asText()).isEmpty();
  }
}
