package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.core.testing.RawHttp;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's admin/peer listener takes its limits from the config file's {@code limits.*} keys:
 * oversized headers are 431 and closed, connections beyond the limit 503, and a slow client 408,
 * while the health check still answers.
 */
class DaemonListenerLimitsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private EmbeddedController controller;
  private SegmentServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (controller != null) {
      controller.close();
    }
  }

  @Test
  void theConfigFileSetsTheListenerLimits() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("server.yml"),
            "limits:\n  maxHeaderSize: 2048\n  maxConnections: 4\n  requestTimeout: 800ms\n");
    ServerConfig config = settings(file).toConfig();
    assertThat(config.listenerLimits())
        .isEqualTo(
            ListenerLimits.defaults()
                .withHeaderSizes(ListenerLimits.DEFAULT_MAX_INITIAL_LINE_LENGTH, 2048)
                .withMaxConnections(4)
                .withRequestTimeout(Duration.ofMillis(800)));
    start(config);
    int port = Integer.parseInt(server.baseUrl().replaceAll(".*:", ""));

    try (RawHttp http = RawHttp.connect(port, TIMEOUT)) {
      http.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(4096) + "\r\n\r\n");
      assertThat(http.readResponse().status()).isEqualTo(431);
      assertThat(http.closedByServer()).isTrue();
    }

    try (RawHttp slow = RawHttp.connect(port, TIMEOUT)) {
      slow.send("GET /health HTTP/1.1\r\nHo");
      assertThat(slow.readResponse().status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
    }

    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        held.add(RawHttp.connect(port, TIMEOUT));
        held.get(i).send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(held.get(i).readResponse().status()).isEqualTo(200);
      }
      assertThat(health(port).status()).isEqualTo(503);
    } finally {
      held.forEach(RawHttp::close);
    }
    io.segmenttransfer.core.testing.Waits.await("served once the held connections closed")
        .until(() -> health(port).status() == 200);
  }

  @Test
  void anUnknownLimitKeyIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.yml"), "limits:\n  maxConections: 4\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> settings(file))
        .hasMessageContaining("unknown setting [limits.maxConections]");
  }

  private ServerSettings settings(Path file) {
    return ServerSettings.fromFile(file)
        .override("controller", "http://127.0.0.1:1")
        .override("dataDir", dir.resolve("server"))
        .override("adminPort", 0);
  }

  private void start(ServerConfig config) {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(dir.resolve("controller")).withPort(0));
    ServerConfig withController =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", dir.resolve("server"))
            .override("adminPort", 0)
            .override("longPoll", "2s")
            .toConfig()
            .withListenerLimits(config.listenerLimits());
    server = SegmentServer.start(withController).block(TIMEOUT);
    server.bootstrapped().block(TIMEOUT);
  }

  private static RawHttp.Response health(int port) {
    return RawHttp.exchange(
        port,
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII),
        TIMEOUT);
  }
}
