package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The commit flow against the real embedded controller: election, split commit, URL after the
 * upload, a replica.
 */
class SegmentCommitEmbeddedControllerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_REALTIME");
  private static final String SEGMENT = "events__0__3__20261206T1200Z";
  private static final SegmentId ID = new SegmentId(TABLE, SEGMENT);
  private static final CommitConfig FAST =
      CommitConfig.defaults()
          .withRetries(
              Duration.ofMillis(100),
              new RetryPolicy(
                  Integer.MAX_VALUE, Duration.ofMillis(50), 2, Duration.ofMillis(500), 0.2),
              new RetryPolicy(3, Duration.ofMillis(50), 2, Duration.ofMillis(200), 0.2));

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;
  private final List<SegmentServer> servers = new ArrayList<>();

  @BeforeEach
  void start() {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(dir.resolve("controller")).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
  }

  @AfterEach
  void stop() {
    servers.forEach(SegmentServer::close);
    controller.close();
  }

  private SegmentServer server(String name) {
    SegmentServer server =
        SegmentServer.start(
                ServerSettings.fromFile(null)
                    .override("controller", controller.baseUrl())
                    .override("dataDir", dir.resolve(name))
                    .override("adminPort", 0)
                    .override("longPoll", "2s")
                    .override("deepStore", dir.resolve("deepstore").toUri())
                    .toConfig()
                    .withCommit(FAST))
            .block(TIMEOUT);
    servers.add(server);
    return server;
  }

  @Test
  void aServerCommitsItsSegmentUploadsItAndAReplicaLoadsIt() throws IOException {
    client.createTable(TABLE, 2).block(TIMEOUT);
    Path built =
        TestRealtimeSegment.write(
            Files.createDirectories(dir.resolve("built")), SEGMENT, "1500", 300_000, 5);
    SegmentServer committer = server("a");
    SegmentServer replica = server("b");
    URI archive = new DeepStoreLayout(dir.resolve("deepstore").toUri()).archive(ID, Codec.GZIP);

    // One of two replicas reports: the controller holds for its window, then elects it.
    JsonNode answer = DeepStoreTestCluster.commit(committer, ID, built);

    assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("COMMIT_SUCCESS");
    long crc = Long.parseLong(answer.path("crc").asText());
    // The server's deep store is a local directory: the controller serves it under its own URL.
    String controllerUrl = controller.baseUrl() + "/segments/events/" + SEGMENT;
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                client.metadata(ID).block(TIMEOUT).downloadUrl().orElse("").equals(controllerUrl));
    SegmentMetadata committed = client.metadata(ID).block(TIMEOUT);
    assertThat(committed.crc()).isEqualTo(crc);
    assertThat(committed.field("segment.realtime.status")).hasValue("DONE");
    assertThat(committed.field("segment.realtime.endOffset")).hasValue("1500");
    assertThat(Path.of(archive)).isRegularFile();

    // The other replica is assigned the committed segment and loads it; both end ONLINE.
    await()
        .atMost(TIMEOUT)
        .until(
            () -> {
              Map<String, String> holders =
                  client
                      .externalView(TABLE.rawName())
                      .onErrorResume(e -> Mono.empty())
                      .map(
                          view ->
                              view.byType()
                                  .getOrDefault(TABLE.type(), Map.of())
                                  .getOrDefault(SEGMENT, Map.of()))
                      .blockOptional(TIMEOUT)
                      .orElse(Map.of());
              return "ONLINE".equals(holders.get(committer.instanceId()))
                  && "ONLINE".equals(holders.get(replica.instanceId()));
            });
    assertThat(replica.directory().localCrcs(TABLE).block(TIMEOUT)).containsEntry(SEGMENT, crc);
    assertThat(committer.directory().localCrcs(TABLE).block(TIMEOUT)).containsEntry(SEGMENT, crc);
  }
}
