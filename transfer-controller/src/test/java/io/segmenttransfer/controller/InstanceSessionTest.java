package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.call;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static io.segmenttransfer.controller.ControllerTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.completion.CompletionConfig;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One live instance per id, how an instance leaves, and a controller that cannot write its state.
 */
class InstanceSessionTest {

  private static final Duration SESSION = Duration.ofSeconds(30);
  private static final TableNameWithType EVENTS = TableNameWithType.parse("events_OFFLINE");

  /** A clock the test moves: sessions lapse without waiting. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-06T12:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir Path dir;
  private final MovableClock clock = new MovableClock();
  private EmbeddedController controller;
  private ControllerClient client;

  @BeforeEach
  void start() {
    controller =
        EmbeddedController.create(
                ControllerConfig.defaults(dir).withPort(0).withInstanceSession(SESSION),
                List.of(),
                CompletionConfig.defaults(),
                clock)
            .block(TIMEOUT);
    client = ControllerClient.create(controller.baseUrl());
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void anIdLiveAtAnotherEndpointIsRefusedUntilItsSessionLapses() {
    client.register("10.0.0.1", 8098, 9097, "server-7").block(TIMEOUT);

    // The same endpoint again is the same server restarting: accepted.
    assertThat(client.register("10.0.0.1", 8098, 9097, "server-7").block(TIMEOUT))
        .isEqualTo("server-7");

    // Another endpoint while the first is live: 409 naming where it runs, and the record kept.
    String other =
        "{\"instanceName\":\"server-7\",\"host\":\"10.0.0.2\",\"port\":8098,\"adminPort\":9097,"
            + "\"type\":\"SERVER\"}";
    ControllerTestSupport.Reply refused =
        send(controller.baseUrl(), HttpMethod.POST, "/instances", other);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("liveInstance").get("host").asText()).isEqualTo("10.0.0.1");
    assertThat(refused.json().get("error").asText())
        .startsWith("instance server-7 is live at 10.0.0.1:9097")
        .contains("give this server another --instance-id");
    assertThatThrownBy(() -> client.register("10.0.0.2", 8098, 9097, "server-7").block(TIMEOUT))
        .isInstanceOf(StateConflictException.class)
        .hasMessageContaining("is live at 10.0.0.1:9097");
    assertThat(get(controller.baseUrl(), "/instances/server-7").json().get("hostName").asText())
        .isEqualTo("10.0.0.1");

    // Just inside the session: still refused. Past it: the id is free.
    clock.advance(SESSION.minusSeconds(1));
    assertThat(send(controller.baseUrl(), HttpMethod.POST, "/instances", other).status())
        .isEqualTo(409);
    clock.advance(Duration.ofSeconds(2));
    assertThat(client.register("10.0.0.2", 8098, 9097, "server-7").block(TIMEOUT))
        .isEqualTo("server-7");
    assertThat(get(controller.baseUrl(), "/instances/server-7").json().get("hostName").asText())
        .isEqualTo("10.0.0.2");
  }

  @Test
  void aServerThatSaysItStopsFreesItsIdAtOnceAndKeepsItsRecord() {
    client.register("10.0.0.1", 8098, 9097, "server-7").block(TIMEOUT);
    client.endSession("server-7").block(TIMEOUT);
    assertThat(client.register("10.0.0.1", 8099, 9098, "server-7").block(TIMEOUT))
        .isEqualTo("server-7");
    assertThat(get(controller.baseUrl(), "/instances/server-7").json().get("adminPort").asInt())
        .isEqualTo(9098);
    assertThat(
            call(
                    controller.baseUrl(),
                    HttpMethod.DELETE,
                    "/instances/nobody/session",
                    null,
                    Map.of())
                .status())
        .isEqualTo(404);
  }

  @Test
  void aStateReportKeepsTheSessionAlive() {
    client.createTable(EVENTS, 1).block(TIMEOUT);
    client.register("10.0.0.1", 8098, 9097, "server-7").block(TIMEOUT);
    clock.advance(SESSION.minusSeconds(5));
    client
        .reportState("server-7", SegmentId.of("events_OFFLINE", "s0"), SegmentState.ERROR)
        .block(TIMEOUT);
    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> client.register("10.0.0.2", 8098, 9097, "server-7").block(TIMEOUT))
        .isInstanceOf(StateConflictException.class);
  }

  @Test
  void anInstanceHoldingOnlineReplicasLeavesOnlyWhenForced() {
    client.createTable(EVENTS, 1).block(TIMEOUT);
    client.register("10.0.0.1", 8098, 9097, "server-7").block(TIMEOUT);
    client
        .reportState("server-7", SegmentId.of("events_OFFLINE", "s0"), SegmentState.ONLINE)
        .block(TIMEOUT);

    ControllerTestSupport.Reply refused =
        call(controller.baseUrl(), HttpMethod.DELETE, "/instances/server-7", null, Map.of());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("error").asText())
        .isEqualTo(
            "instance server-7 holds 1 ONLINE replica (first events_OFFLINE/s0): stop the server"
                + " first (it reports them OFFLINE), or drop it anyway with ?force=true");
    assertThat(get(controller.baseUrl(), "/instances/server-7").status()).isEqualTo(200);

    ControllerTestSupport.Reply forced =
        call(
            controller.baseUrl(),
            HttpMethod.DELETE,
            "/instances/server-7?force=true",
            null,
            Map.of());
    assertThat(forced.status()).isEqualTo(200);
    assertThat(get(controller.baseUrl(), "/instances/server-7").status()).isEqualTo(404);
    assertThat(get(controller.baseUrl(), "/instances").json().get("instances")).isEmpty();
    // Gone: its id is free at once, from anywhere.
    assertThat(client.register("10.0.0.2", 8098, 9097, "server-7").block(TIMEOUT))
        .isEqualTo("server-7");
  }

  @Test
  void anInstanceWithoutOnlineReplicasLeavesWithoutForce() {
    client.createTable(EVENTS, 1).block(TIMEOUT);
    client.register("10.0.0.1", 8098, 9097, "server-7").block(TIMEOUT);
    client
        .reportState("server-7", SegmentId.of("events_OFFLINE", "s0"), SegmentState.OFFLINE)
        .block(TIMEOUT);
    assertThat(
            call(controller.baseUrl(), HttpMethod.DELETE, "/instances/server-7", null, Map.of())
                .status())
        .isEqualTo(200);
  }

  @Test
  void aStateDirectoryThatCannotBeWrittenFailsTheStart() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    assertThatThrownBy(
            () ->
                EmbeddedController.start(ControllerConfig.defaults(file.resolve("c")).withPort(0)))
        .isInstanceOf(io.segmenttransfer.core.error.SegmentWriteException.class)
        .hasMessageStartingWith(
            "cannot write the controller's state directory " + file.resolve("c/state"))
        .hasMessageEndingWith("give --data-dir a directory this user can write");
  }
}
