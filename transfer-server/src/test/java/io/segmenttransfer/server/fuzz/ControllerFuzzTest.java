package io.segmenttransfer.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.RawHttp;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Fuzzes the embedded controller's listener: its routes (tables, schemas, segments with tar push
 * and download, instances, tasks, the deep-store sync) and the completion protocol's. Every answer
 * is a status (no hang, the connection closed), no buffer leaks, nothing appears outside the
 * controller's data directory (its state and deep store), and a normal request still answers.
 */
@AddLifecycleHook(FuzzGuard.class)
class ControllerFuzzTest {

  static final List<String> CONTROLLER_ROUTES =
      List.of(
          "GET /tables",
          "POST /tables",
          "GET /tables/{table}",
          "PUT /tables/{table}",
          "DELETE /tables/{table}",
          "GET /tables/{table}/idealstate",
          "GET /tables/{table}/externalview",
          "GET /tables/{table}/configHash",
          "GET /schemas",
          "POST /schemas",
          "GET /schemas/{schema}",
          "PUT /schemas/{schema}",
          "DELETE /schemas/{schema}",
          "POST /segments?tableName={table}",
          "POST /v2/segments?tableName={table}",
          "GET /segments/{table}",
          "GET /segments/{table}/{segment}",
          "HEAD /segments/{table}/{segment}",
          "DELETE /segments/{table}/{segment}",
          "GET /segments/{table}/{segment}/metadata",
          "PUT /segments/{table}/{segment}/metadata",
          "POST /instances",
          "GET /instances",
          "GET /instances/{instance}",
          "DELETE /instances/{instance}",
          "GET /instances/{instance}/assignment?timeoutMs=1",
          "PUT /instances/{instance}/segments/{table}/{segment}/state",
          "DELETE /instances/{instance}/segments/{table}/{segment}/state",
          "DELETE /instances/{instance}/session",
          "GET /periodictask/names",
          "GET /periodictask/status",
          "GET /periodictask/run?taskname=DeepStoreRepair",
          "POST /tasks/DeepStoreSync/run?tableName={table}&wait=false",
          "GET /tasks/DeepStoreSync/runs/{run}",
          "DELETE /tasks/DeepStoreSync/runs/{run}");

  static final List<String> COMPLETION_ROUTES =
      List.of(
          "GET /segmentConsumed?name={llc}&instance={instance}&offset=1",
          "GET /segmentCommitStart?name={llc}&instance={instance}&offset=1",
          "GET /segmentStoppedConsuming?name={llc}&instance={instance}&offset=1",
          "GET /extendBuildTime?name={llc}&instance={instance}&offset=1&extraTimeSec=1",
          "POST /segmentCommitEndWithMetadata?name={llc}&instance={instance}&offset=1",
          "POST /segmentUpload?name={llc}&instance={instance}&offset=1",
          "POST /segmentCommitEnd?name={llc}&instance={instance}&offset=1",
          "POST /segmentCommit?name={llc}&instance={instance}&offset=1",
          "PUT /segments/{realtime}/{llc}/downloadUrl?downloadUrl=file:///tmp/x");

  static final Map<String, String> VALID =
      Map.of(
          "table", "events_OFFLINE",
          "realtime", "rt_REALTIME",
          "segment", "s1",
          "instance", "Server_127.0.0.1_7000",
          "run", "r1",
          "schema", "events",
          "llc", "rt__0__0__20240101T0000Z");

  /** Short timeouts and small bodies, so the fuzz reaches every limit quickly. */
  static final ListenerLimits LIMITS =
      ListenerLimits.defaults()
          .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5))
          .withBodies(64 * 1024, 8, 64 * 1024);

  private static Path root;
  private static Map<String, String> outsideBefore;
  private static EmbeddedController controller;

  @BeforeContainer
  static void start() throws IOException {
    root = Files.createTempDirectory("controller-fuzz");
    Files.writeString(root.resolve("secret.json"), "outside");
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(root.resolve("controller"))
                .withPort(0)
                .withListenerLimits(LIMITS));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    client.createTable(TableNameWithType.parse("events_OFFLINE"), 1).block(FuzzExchange.DEADLINE);
    client.createTable(TableNameWithType.parse("rt_REALTIME"), 1).block(FuzzExchange.DEADLINE);
    Path archive = root.resolve("push/s1.tar.gz");
    Files.createDirectories(archive.getParent());
    Files.write(archive, PinotFixtures.bytes(PinotFixtures.archives().get(0)));
    client
        .uploadSegment(TableNameWithType.parse("events_OFFLINE"), archive)
        .block(FuzzExchange.DEADLINE);
    outsideBefore = FuzzExchange.outside(root, List.of(root.resolve("controller")));
  }

  @AfterContainer
  static void stop() {
    if (controller != null) {
      controller.close();
    }
    FuzzExchange.deleteTree(root);
  }

  @Property
  void controllerRoutesAnswerEveryRequest(@ForAll("controllerRequests") FuzzRequest request) {
    Statistics.collect(FuzzExchange.send(controller.port(), request));
  }

  @Property
  void completionRoutesAnswerEveryRequest(@ForAll("completionRequests") FuzzRequest request) {
    Statistics.collect(FuzzExchange.send(controller.port(), request));
  }

  @Provide
  Arbitrary<FuzzRequest> controllerRequests() {
    return FuzzRequests.against(CONTROLLER_ROUTES, VALID);
  }

  @Provide
  Arbitrary<FuzzRequest> completionRequests() {
    return FuzzRequests.against(COMPLETION_ROUTES, VALID);
  }

  @AfterProperty
  void healthyAndNothingOutside() {
    RawHttp.Response tables =
        RawHttp.exchange(
            controller.port(),
            "GET /tables HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII),
            FuzzExchange.DEADLINE);
    assertThat(tables.status()).as(tables.text()).isEqualTo(200);
    assertThat(FuzzExchange.outside(root, List.of(root.resolve("controller"))))
        .isEqualTo(outsideBefore);
  }
}
