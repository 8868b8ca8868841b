package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;

/**
 * A server started before its controller waits for it; once the first assignment is loaded it says
 * what it kept and downloaded, and {@code GET /transfers} lists each transfer.
 */
class ServerStartAndTransfersTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private EmbeddedController controller;
  private final List<SegmentServer> servers = new ArrayList<>();

  @AfterEach
  void stopAll() {
    servers.forEach(SegmentServer::close);
    if (controller != null) {
      controller.close();
    }
  }

  private ServerConfig config(String controllerUrl) {
    return ServerSettings.fromFile(null)
        .override("controller", controllerUrl)
        .override("dataDir", dir.resolve("a"))
        .override("adminPort", 0)
        .override("instanceId", "server-a")
        .override("longPoll", "2s")
        .toConfig();
  }

  private int uploadFixtures(ControllerClient client) {
    client.createTable(TABLE, 1).block(TIMEOUT);
    int count = 0;
    for (PinotFixtures.Archive fixture : PinotFixtures.archives()) {
      if (fixture.format().equals("tar.gz")) {
        client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);
        count++;
      }
    }
    return count;
  }

  @Test
  void aServerStartedBeforeItsControllerWaitsForItThenReportsWhatItLoaded() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    // The cluster's state first (a table with segments), then the controller goes away.
    ControllerConfig controllerConfig =
        ControllerConfig.defaults(dir.resolve("controller")).withPort(port);
    EmbeddedController first = EmbeddedController.start(controllerConfig);
    int segments;
    try {
      segments = uploadFixtures(ControllerClient.create(first.baseUrl()));
    } finally {
      first.close();
    }

    Sinks.One<SegmentServer> started = Sinks.one();
    SegmentServer.start(config("http://127.0.0.1:" + port))
        .subscribe(started::tryEmitValue, started::tryEmitError);
    // Nothing listens yet: the start keeps retrying instead of failing.
    reactor.test.StepVerifier.create(started.asMono())
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(2))
        .thenCancel()
        .verify(TIMEOUT);

    controller = EmbeddedController.start(controllerConfig);
    SegmentServer server = started.asMono().block(TIMEOUT);
    servers.add(server);

    assertThat(server.firstLoad().block(TIMEOUT))
        .isEqualTo(
            "loaded "
                + segments
                + " segment"
                + (segments == 1 ? "" : "s")
                + " (0 kept, "
                + segments
                + " downloaded)");

    JsonNode transfers = get(server.baseUrl() + "/transfers").get("transfers");
    assertThat(transfers).hasSize(segments);
    for (JsonNode transfer : transfers) {
      assertThat(transfer.get("table").asText()).isEqualTo(TABLE.toString());
      assertThat(transfer.get("state").asText()).isEqualTo("finished");
      assertThat(transfer.get("outcome").asText()).isEqualTo("downloaded");
      assertThat(transfer.get("source").asText()).isEqualTo("controller");
      assertThat(transfer.get("bytesDone").asLong())
          .isPositive()
          .isEqualTo(transfer.get("bytesTotal").asLong());
      assertThat(transfer.get("error").isNull()).isTrue();
    }
    String table = text(server.baseUrl() + "/transfers?format=text");
    assertThat(table.lines().findFirst().orElseThrow()).startsWith("table").contains("bytes_done");
    assertThat(table.lines()).hasSize(segments + 1);

    // Restarted at once on the same data directory and id, on another port (the stop ended its
    // session): every copy is kept, nothing is transferred.
    server.close();
    servers.remove(server);
    SegmentServer again = SegmentServer.start(config(controller.baseUrl())).block(TIMEOUT);
    servers.add(again);
    assertThat(again.firstLoad().block(TIMEOUT))
        .isEqualTo(
            "loaded "
                + segments
                + " segment"
                + (segments == 1 ? "" : "s")
                + " ("
                + segments
                + " kept, 0 downloaded)");
    assertThat(get(again.baseUrl() + "/transfers").get("transfers")).isEmpty();
  }

  private static String text(String url) {
    return HttpClient.newConnection()
        .get()
        .uri(url)
        .responseSingle((response, content) -> content.asString())
        .block(TIMEOUT);
  }

  private static JsonNode get(String url) throws Exception {
    return JSON.readTree(text(url));
  }
}
