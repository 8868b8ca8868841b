package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.testing.Waits;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

/** A controller and real server daemons on loopback, with the Pinot 1.5 fixtures. */
class ServerEndToEndTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;
  private final List<SegmentServer> servers = new ArrayList<>();

  @BeforeEach
  void startController() {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(dir.resolve("controller")).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
  }

  @AfterEach
  void stopAll() {
    servers.forEach(SegmentServer::close);
    controller.close();
  }

  private void uploadFixtures(int replication) {
    client.createTable(TABLE, replication).block(TIMEOUT);
    for (PinotFixtures.Archive fixture : PinotFixtures.archives()) {
      if (fixture.format().equals("tar.gz")) {
        client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);
      }
    }
  }

  private SegmentServer server(String name) {
    return server(name, null);
  }

  private SegmentServer server(String name, String instanceId) {
    ServerConfig config =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", dir.resolve(name))
            .override("adminPort", 0)
            .override("instanceId", instanceId)
            .override("deepStore", dir.resolve("uploads").toUri())
            .override("longPoll", "2s")
            .toConfig();
    SegmentServer server = SegmentServer.start(config).block(TIMEOUT);
    servers.add(server);
    return server;
  }

  private Map<String, String> segmentFiles(SegmentServer server, String segment) {
    Map<String, String> files =
        new TreeMap<>(
            DirectorySnapshot.of(
                server.directory().dataDir().resolve(TABLE.toString()).resolve(segment)));
    files.values().removeIf("dir"::equals);
    return files;
  }

  private static Map<String, String> manifestFiles(PinotFixtures.Archive fixture) {
    Map<String, String> files = new TreeMap<>();
    fixture.files().values().forEach(f -> files.put(f.path(), f.sha256()));
    return files;
  }

  private Map<String, String> onlineHolders(String segment) {
    var view = client.externalView(TABLE.rawName()).block(TIMEOUT);
    Map<String, String> holders =
        new TreeMap<>(
            view.byType().getOrDefault(TABLE.type(), Map.of()).getOrDefault(segment, Map.of()));
    holders.values().removeIf(state -> !state.equals("ONLINE"));
    return holders;
  }

  /**
   * Waits (bounded) for state the servers and the controller reach on their own; each check is an
   * HTTP call.
   */
  private static void await(String what, BooleanSupplier condition) {
    Waits.await(what)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(25))
        .until(condition::getAsBoolean);
  }

  private static JsonNode get(String url) {
    String body =
        HttpClient.newConnection()
            .get()
            .uri(url)
            .responseSingle(
                (response, content) ->
                    content.asString().map(text -> response.status().code() + " " + text))
            .block(TIMEOUT);
    try {
      int space = body.indexOf(' ');
      JsonNode node = JSON.readTree(body.substring(space + 1));
      ((com.fasterxml.jackson.databind.node.ObjectNode) node)
          .put("_status", Integer.parseInt(body.substring(0, space)));
      return node;
    } catch (IOException e) {
      throw new AssertionError("not JSON from " + url + ": " + body, e);
    }
  }

  @Test
  void serversBootstrapReportOnlineAndExposeHealthMetricsAndCrcs() {
    uploadFixtures(2);
    SegmentServer a = server("a");
    SegmentServer b = server("b");

    a.bootstrapped().block(TIMEOUT);
    b.bootstrapped().block(TIMEOUT);

    for (PinotFixtures.Archive fixture : PinotFixtures.archives()) {
      if (fixture.format().equals("tar.gz")) {
        await(
            "both replicas ONLINE for " + fixture.segmentName(),
            () -> onlineHolders(fixture.segmentName()).size() == 2);
        assertThat(segmentFiles(a, fixture.segmentName())).isEqualTo(manifestFiles(fixture));
        assertThat(segmentFiles(b, fixture.segmentName())).isEqualTo(manifestFiles(fixture));
      }
    }
    JsonNode health = get(a.baseUrl() + "/health");
    assertThat(health.get("_status").asInt()).isEqualTo(200);
    assertThat(health.get("status").asText()).isEqualTo("READY");
    JsonNode crcs = get(a.baseUrl() + "/tables/events_OFFLINE/segments/crc");
    for (PinotFixtures.Archive fixture : PinotFixtures.archives()) {
      assertThat(crcs.get(fixture.segmentName()).asText()).isEqualTo(Long.toString(fixture.crc()));
    }
    String metrics =
        HttpClient.newConnection()
            .get()
            .uri(a.baseUrl() + "/metrics")
            .responseContent()
            .aggregate()
            .asString()
            .block(TIMEOUT);
    assertThat(metrics)
        .contains(
            "segment_transfer_bytes_total{source=\"controller\"}",
            "segment_operations_seconds_count{operation=\"add\",outcome=\"downloaded\"} 3\n",
            "segment_downloads_queued 0.0",
            "segment_downloads_active 0.0",
            "peer_uploads_active 0.0");
  }

  @Test
  void aRefreshReachesEveryServerHoldingTheSegment() throws IOException {
    uploadFixtures(2);
    SegmentServer a = server("a");
    SegmentServer b = server("b");
    a.bootstrapped().block(TIMEOUT);
    b.bootstrapped().block(TIMEOUT);
    String segment = PinotFixtures.archive("tar.gz").segmentName();

    // A new version of the segment (another CRC) pushed under the same name.
    Map<String, byte[]> content =
        new TreeMap<>(TestArchives.randomSegment(new Random(5), 3, 50_000));
    content.keySet().removeIf(path -> path.endsWith("creation.meta"));
    content.put(
        "v3/metadata.properties",
        ("segment.name=" + segment + "\nsegment.total.docs=7\n").getBytes());
    Map<String, byte[]> files = TestArchives.segmentFiles(content);
    Path refreshed = dir.resolve(segment + ".tar.gz");
    Files.write(refreshed, TestArchives.archive(Codec.GZIP, segment, files));
    client.uploadSegment(TABLE, refreshed).block(TIMEOUT);

    long newCrc = TestArchives.crcOf(files);
    for (SegmentServer server : List.of(a, b)) {
      await(
          "the refresh on " + server.instanceId(),
          () ->
              get(server.baseUrl() + "/tables/events_OFFLINE/segments/crc")
                  .path(segment)
                  .asText()
                  .equals(Long.toString(newCrc)));
      Map<String, String> expected = new TreeMap<>();
      files.forEach((path, bytes) -> expected.put(path, DirectorySnapshot.sha256(bytes)));
      assertThat(segmentFiles(server, segment)).isEqualTo(expected);
    }
  }

  @Test
  void aServerJoiningLaterGetsASegmentMissingFromTheDeepStoreFromItsPeers() throws IOException {
    uploadFixtures(3);
    SegmentServer a = server("a");
    SegmentServer b = server("b");
    a.bootstrapped().block(TIMEOUT);
    b.bootstrapped().block(TIMEOUT);
    PinotFixtures.Archive lost = PinotFixtures.archive("tar.gz");
    await("two replicas online", () -> onlineHolders(lost.segmentName()).size() == 2);
    try (Stream<Path> archives = Files.walk(controller.config().dataDir().resolve("deepstore"))) {
      for (Path archive :
          archives
              .filter(p -> p.getFileName().toString().startsWith(lost.segmentName()))
              .toList()) {
        Files.delete(archive);
      }
    }

    SegmentServer c = server("c");
    c.bootstrapped().block(TIMEOUT);

    await("three replicas online", () -> onlineHolders(lost.segmentName()).size() == 3);
    assertThat(segmentFiles(c, lost.segmentName())).isEqualTo(manifestFiles(lost));
    String metrics = c.metrics().scrape();
    assertThat(metrics)
        .contains("segment_transfer_bytes_total{source=\"peer\"}")
        .contains(
            "segment_transfer_failures_total{cause=\"SourceNotFoundException\",source=\"controller\"}");
  }

  @Test
  void aRestartedServerKeepsWhatItHasAndCleansLeftovers() throws IOException {
    uploadFixtures(1);
    SegmentServer first = server("a", "Server_restart_1");
    first.bootstrapped().block(TIMEOUT);
    Path dataDir = first.directory().dataDir();
    first.close();
    servers.remove(first);
    // As if the process died mid-bootstrap: one segment never landed, a staging directory was left.
    PinotFixtures.Archive missing = PinotFixtures.archive("tar.gz");
    io.segmenttransfer.core.layout.SegmentSwap.deleteRecursively(
        dataDir.resolve(TABLE.toString()).resolve(missing.segmentName()));
    Path leftover =
        dataDir.resolve(TABLE.toString()).resolve("tmp").resolve(missing.segmentName() + "-dead");
    Files.createDirectories(leftover.resolve("v3"));

    SegmentServer second = server("a", "Server_restart_1");
    second.bootstrapped().block(TIMEOUT);

    String metrics = second.metrics().scrape();
    assertThat(metrics)
        .contains("segment_operations_seconds_count{operation=\"add\",outcome=\"kept\"} 2\n")
        .contains("segment_operations_seconds_count{operation=\"add\",outcome=\"downloaded\"} 1\n");
    assertThat(segmentFiles(second, missing.segmentName())).isEqualTo(manifestFiles(missing));
    assertThat(leftover).doesNotExist();
  }

  @Test
  void aSegmentThatCannotBeHadYetIsReportedErrorAndRetriedUntilItLands() throws IOException {
    client.createTable(TABLE, 1).block(TIMEOUT);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    Path late = dir.resolve("late").resolve(fixture.segmentName() + ".tar.gz");
    client
        .putMetadata(
            io.segmenttransfer.core.segment.SegmentMetadata.of(
                SegmentId.of(TABLE.toString(), fixture.segmentName()),
                Map.of(
                    "segment.crc",
                    Long.toString(fixture.crc()),
                    "segment.download.url",
                    late.toUri().toString())))
        .block(TIMEOUT);
    SegmentServer a = server("a");

    // The first attempt fails (no archive anywhere): readiness does not wait for it, the replica is
    // ERROR.
    a.bootstrapped().block(TIMEOUT);
    assertThat(get(a.baseUrl() + "/health").get("_status").asInt()).isEqualTo(200);
    await(
        "the replica reported ERROR",
        () -> {
          var view = client.externalView(TABLE.rawName()).block(TIMEOUT);
          return "ERROR"
              .equals(
                  view.byType()
                      .getOrDefault(TABLE.type(), Map.of())
                      .getOrDefault(fixture.segmentName(), Map.of())
                      .get(a.instanceId()));
        });

    // The archive appears: a retry picks it up without any assignment change.
    Files.createDirectories(late.getParent());
    Files.copy(fixture.file(), late);
    await("the retried replica ONLINE", () -> onlineHolders(fixture.segmentName()).size() == 1);
    assertThat(segmentFiles(a, fixture.segmentName())).isEqualTo(manifestFiles(fixture));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"upload", "uploadLLCSegment"})
  void uploadsItsCopyToTheDeepStoreWhenAsked(String route) {
    uploadFixtures(1);
    SegmentServer a = server("a");
    a.bootstrapped().block(TIMEOUT);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");

    String body =
        HttpClient.newConnection()
            .post()
            .uri(
                a.baseUrl()
                    + "/segments/events_OFFLINE/"
                    + fixture.segmentName()
                    + "/"
                    + route
                    + "?uploadTimeoutMs=10000")
            .responseContent()
            .aggregate()
            .asString()
            .block(TIMEOUT);

    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError(body, e);
    }
    assertThat(answer.get("crc").asText()).isEqualTo(Long.toString(fixture.crc()));
    URI uploaded = URI.create(answer.get("downloadUrl").asText());
    assertThat(Path.of(uploaded)).exists();
    // What was uploaded is a valid archive of exactly this segment.
    var result =
        new io.segmenttransfer.core.extract.SegmentExtractor(
                io.segmenttransfer.core.extract.ExtractionConfig.defaults(),
                io.segmenttransfer.core.crypto.CrypterRegistry.fromConfig(
                    io.segmenttransfer.core.crypto.CrypterConfig.defaults()),
                reactor.core.scheduler.Schedulers.boundedElastic())
            .extract(
                new io.segmenttransfer.core.store.LocalFileSegmentStore(
                        reactor.core.scheduler.Schedulers.boundedElastic())
                    .read(uploaded, 0),
                io.segmenttransfer.core.extract.ExtractionRequest.of(dir.resolve("check"), TABLE)
                    .withExpectedCrc(fixture.crc()))
            .block(TIMEOUT);
    assertThat(result.crc()).isEqualTo(fixture.crc());
  }
}
