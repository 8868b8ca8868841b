package io.segmenttransfer.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.RawHttp;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerConfig;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Fuzzes a server's admin listener: the peer download routes (with Range headers), the deep-store
 * upload and commit routes, the CRC and staleness listings, health, metrics and transfers. Every
 * answer is a status (no hang, the connection closed), no buffer leaks, nothing appears outside the
 * server's data directory, its upload deep store and the controller's directory, and the server
 * still reports healthy.
 */
@AddLifecycleHook(FuzzGuard.class)
class ServerFuzzTest {

  static final List<String> ROUTES =
      List.of(
          "GET /health",
          "GET /metrics",
          "GET /transfers",
          "GET /transfers?format=text",
          "GET /segments/{table}/{segment}",
          "HEAD /segments/{table}/{segment}",
          "GET /segments/{table}/{segment}?codec=zstd",
          "POST /segments/{table}/{segment}/upload?uploadTimeoutMs=2000",
          "POST /segments/{table}/{segment}/uploadLLCSegment?uploadTimeoutMs=2000",
          "POST /segments/{table}/{segment}/commit",
          "GET /tables/{table}/segments/crc",
          "GET /tables/{table}/segments/isStale");

  private static Path root;
  private static List<Path> allowed;
  private static Map<String, String> outsideBefore;
  private static EmbeddedController controller;
  private static SegmentServer server;
  private static int port;
  private static String segment;

  @BeforeContainer
  static void start() throws IOException {
    root = Files.createTempDirectory("server-fuzz");
    Files.writeString(root.resolve("secret.tar.gz"), "outside");
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(root.resolve("controller"))
                .withPort(0)
                .withListenerLimits(ControllerFuzzTest.LIMITS));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    TableNameWithType table = TableNameWithType.parse(PinotFixtures.TABLE);
    client.createTable(table, 1).block(FuzzExchange.DEADLINE);
    PinotFixtures.Archive fixture = PinotFixtures.archives().get(0);
    segment = fixture.segmentName();
    Path archive = root.resolve("push/" + segment + ".tar.gz");
    Files.createDirectories(archive.getParent());
    Files.write(archive, PinotFixtures.bytes(fixture));
    client.uploadSegment(table, archive).block(FuzzExchange.DEADLINE);
    ServerConfig config =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", root.resolve("server"))
            .override("adminPort", 0)
            .override("deepStore", root.resolve("uploads").toUri())
            .override("longPoll", "2s")
            .toConfig()
            .withListenerLimits(ControllerFuzzTest.LIMITS);
    server = SegmentServer.start(config).block(FuzzExchange.DEADLINE);
    server.bootstrapped().block(FuzzExchange.DEADLINE);
    port = Integer.parseInt(server.baseUrl().replaceAll(".*:", ""));
    allowed = List.of(root.resolve("controller"), root.resolve("server"), root.resolve("uploads"));
    outsideBefore = FuzzExchange.outside(root, allowed);
  }

  @AfterContainer
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (controller != null) {
      controller.close();
    }
    FuzzExchange.deleteTree(root);
  }

  @Property
  void adminAndPeerRoutesAnswerEveryRequest(@ForAll("requests") FuzzRequest request) {
    Statistics.collect(FuzzExchange.send(port, request));
  }

  @Provide
  Arbitrary<FuzzRequest> requests() {
    return FuzzRequests.against(ROUTES, Map.of("table", PinotFixtures.TABLE, "segment", segment));
  }

  @AfterProperty
  void healthyAndNothingOutside() {
    RawHttp.Response health =
        RawHttp.exchange(
            port,
            "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII),
            FuzzExchange.DEADLINE);
    assertThat(health.status()).as(health.text()).isEqualTo(200);
    assertThat(FuzzExchange.outside(root, allowed)).isEqualTo(outsideBefore);
  }
}
