package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A controller stopped abruptly and started again over the same directory has lost nothing. */
class ControllerRestartTest {

  @TempDir Path dir;

  @Test
  void restartOverTheSameDirectoryKeepsEverything() throws Exception {
    TableNameWithType events = TableNameWithType.parse(PinotFixtures.TABLE);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    SegmentId id = SegmentId.of(PinotFixtures.TABLE, fixture.segmentName());
    EmbeddedController first = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    int port = first.port();
    ControllerClient client = ControllerClient.create(first.baseUrl());
    client.register("s1", 8098, 8097).block(TIMEOUT);
    client.register("s2", 8098, 9097).block(TIMEOUT);
    client.createTable(events, 2).block(TIMEOUT);
    client.uploadSegment(events, fixture.file()).block(TIMEOUT);
    client
        .putMetadata(
            SegmentMetadata.of(
                SegmentId.of("events_OFFLINE", "peers_only"),
                Map.of("segment.crc", "42", "segment.download.url", "")))
        .block(TIMEOUT);
    client.reportState("Server_s1_8098", id, SegmentState.ONLINE).block(TIMEOUT);
    client.reportState("Server_s2_8098", id, SegmentState.OFFLINE).block(TIMEOUT);
    SegmentMetadata metadata = client.metadata(id).block(TIMEOUT);
    ExternalView ideal = client.idealState("events").block(TIMEOUT);
    ExternalView view = client.externalView("events").block(TIMEOUT);
    Assignment assignment = client.assignment("Server_s2_8098", -1, Duration.ZERO).block(TIMEOUT);
    String table = get(first.baseUrl(), "/tables/events").text();

    first.halt();
    // A write cut short by the crash: a temporary file that never reached its rename.
    Files.writeString(
        dir.resolve("state/tables/.events_OFFLINE.json.deadbeef.tmp"), "{\"config\": {\"tabl");

    EmbeddedController second =
        EmbeddedController.start(ControllerConfig.defaults(dir).withPort(port));
    try {
      ControllerClient again = ControllerClient.create(second.baseUrl());
      assertThat(get(second.baseUrl(), "/tables/events").text()).isEqualTo(table);
      assertThat(again.instances().block(TIMEOUT))
          .containsExactly("Server_s1_8098", "Server_s2_8098");
      assertThat(again.instance("Server_s2_8098").block(TIMEOUT).adminPort()).isEqualTo(9097);
      assertThat(again.segments(events).block(TIMEOUT))
          .containsExactly(fixture.segmentName(), "peers_only");
      assertThat(again.metadata(id).block(TIMEOUT)).isEqualTo(metadata);
      assertThat(again.idealState("events").block(TIMEOUT)).isEqualTo(ideal);
      assertThat(again.externalView("events").block(TIMEOUT)).isEqualTo(view);
      Assignment reloaded = again.assignment("Server_s2_8098", -1, Duration.ZERO).block(TIMEOUT);
      assertThat(reloaded).isEqualTo(assignment);
      // A server that polls with the version it had before the restart is not woken for nothing.
      assertThat(
              again
                  .assignment("Server_s2_8098", assignment.version(), Duration.ofMillis(200))
                  .block(TIMEOUT))
          .isEqualTo(assignment);
      assertThat(get(second.baseUrl(), "/segments/events/" + fixture.segmentName()).body())
          .isEqualTo(PinotFixtures.bytes(fixture));
      assertThat(dir.resolve("state/tables/.events_OFFLINE.json.deadbeef.tmp")).doesNotExist();
      assertThat(assignment.segments()).hasSize(2);
    } finally {
      second.close();
    }
  }
}
