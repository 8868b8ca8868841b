package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** {@code /periodictask} on a real controller, with a scripted replica on loopback. */
class PeriodicTaskRoutesTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final String RUN = "/periodictask/run?taskname=RealtimeSegmentValidationManager";

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;
  private SegmentId segment;
  private URI archive;

  @BeforeEach
  void start() {
    // Only on-demand runs here: the schedule is PeriodicTasksTest's.
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir.resolve("controller"))
                .withPort(0)
                .withDeepStoreRepair(DeepStoreRepairConfig.defaults().withInterval(Duration.ZERO)));
    client = ControllerClient.create(controller.baseUrl());
    client.createTable(TABLE, 1).block(TIMEOUT);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);
    segment = new SegmentId(TABLE, fixture.segmentName());
    archive =
        new io.segmenttransfer.core.store.DeepStoreLayout(controller.deepStore())
            .archive(segment, io.segmenttransfer.core.archive.Codec.GZIP);
    // Lost from the deep store: peers only.
    SegmentMetadata metadata = client.metadata(segment).block(TIMEOUT);
    client.putMetadata(metadata.with(SegmentMetadata.DOWNLOAD_URL, "")).block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void anUnknownOrMissingTaskNameIs400AndAnUnknownTable404() {
    ControllerTestSupport.Reply unknown =
        get(controller.baseUrl(), "/periodictask/run?taskname=NoSuchTask");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("error").asText())
        .contains("NoSuchTask")
        .contains("RealtimeSegmentValidationManager");
    assertThat(get(controller.baseUrl(), "/periodictask/run").status()).isEqualTo(400);
    assertThat(get(controller.baseUrl(), RUN + "&tableName=nosuchtable").status()).isEqualTo(404);
    assertThat(get(controller.baseUrl(), "/periodictask/names").json().toString())
        .isEqualTo("[\"RealtimeSegmentValidationManager\",\"DeepStoreSync\"]");
  }

  @Test
  void aSegmentNobodyHoldsOnlineIsSkippedReportedAndLeftAsItWas() {
    ControllerTestSupport.Reply reply = get(controller.baseUrl(), RUN + "&tableName=events");

    assertThat(reply.status()).isEqualTo(200);
    JsonNode answer = reply.json();
    assertThat(answer.get("status").asText()).isEqualTo("DONE");
    assertThat(answer.get("tables").toString()).isEqualTo("[\"events_OFFLINE\"]");
    JsonNode report = answer.get("report");
    assertThat(report.get("examined").asInt()).isEqualTo(1);
    assertThat(report.get("missing").asInt()).isEqualTo(1);
    assertThat(report.get("repaired")).isEmpty();
    assertThat(report.get("skipped").get(0).get("segment").asText()).isEqualTo(segment.toString());
    assertThat(report.get("skipped").get(0).get("reason").asText()).contains("no ONLINE replica");
    assertThat(client.metadata(segment).block(TIMEOUT).downloadUrl()).contains("");
  }

  @Test
  void aSecondRunWhileOneRunsAnswersRunningAndTheFirstRecordsWhatTheReplicaUploaded() {
    List<String> uploads = new CopyOnWriteArrayList<>();
    Sinks.One<String> release = Sinks.one();
    DisposableServer replica =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes.post(
                        "/segments/{table}/{segment}/upload",
                        (request, response) -> {
                          uploads.add(request.uri());
                          return response
                              .header("Content-Type", "application/json")
                              .sendString(release.asMono())
                              .then();
                        }))
            .bindNow();
    try {
      String id = client.register("127.0.0.1", replica.port(), replica.port()).block(TIMEOUT);
      client.reportState(id, segment, SegmentState.ONLINE).block(TIMEOUT);
      Mono<ControllerTestSupport.Reply> first =
          Mono.fromCallable(() -> get(controller.baseUrl(), RUN))
              .subscribeOn(Schedulers.boundedElastic())
              .cache();
      first.subscribe();
      Mono.fromCallable(uploads::size)
          .filter(n -> n == 1)
          .repeatWhenEmpty(checks -> checks.delayElements(Duration.ofMillis(10)))
          .block(TIMEOUT);

      JsonNode second = get(controller.baseUrl(), RUN).json();
      assertThat(second.get("status").asText()).isEqualTo("ALREADY_RUNNING");
      JsonNode status =
          get(controller.baseUrl(), "/periodictask/status").json().get("tasks").get(0);
      assertThat(status.get("running").asBoolean()).isTrue();
      assertThat(status.get("pending").asInt()).as("the queue gauge").isEqualTo(1);

      // The replica put its copy where the controller's own archive was, with another CRC.
      release.tryEmitValue(
          "{\"segmentName\":\""
              + segment.segmentName()
              + "\",\"crc\":\"12345\",\"downloadUrl\":\""
              + archive
              + "\"}");
      JsonNode answer = first.block(TIMEOUT).json();
      assertThat(answer.get("status").asText()).as(answer.toString()).isEqualTo("DONE");
      JsonNode repaired = answer.get("report").get("repaired").get(0);
      assertThat(repaired.get("replica").asText()).isEqualTo(id);
      SegmentMetadata after = client.metadata(segment).block(TIMEOUT);
      assertThat(after.crc()).isEqualTo(12345);
      assertThat(repaired.get("crcFixedFrom").asText())
          .isEqualTo(Long.toString(PinotFixtures.archive("tar.gz").crc()));
      // A local-directory deep store: the controller serves it, as for a push.
      String url = controller.baseUrl() + "/segments/events/" + segment.segmentName();
      assertThat(after.downloadUrl()).contains(url);
      assertThat(repaired.get("downloadUrl").asText()).isEqualTo(url);
      assertThat(get(controller.baseUrl(), "/segments/events/" + segment.segmentName()).status())
          .isEqualTo(200);
      assertThat(uploads)
          .containsExactly(
              "/segments/events_OFFLINE/"
                  + segment.segmentName()
                  + "/upload?uploadTimeoutMs="
                  + DeepStoreRepairConfig.DEFAULT_UPLOAD_TIMEOUT.toMillis());
      JsonNode statusAfter =
          get(controller.baseUrl(), "/periodictask/status").json().get("tasks").get(0);
      assertThat(statusAfter.get("running").asBoolean()).isFalse();
      assertThat(statusAfter.get("runs").asInt()).isEqualTo(1);
      assertThat(statusAfter.get("repairedTotal").asInt()).isEqualTo(1);
      assertThat(statusAfter.get("pending").asInt()).isZero();
    } finally {
      replica.disposeNow();
    }
  }
}
