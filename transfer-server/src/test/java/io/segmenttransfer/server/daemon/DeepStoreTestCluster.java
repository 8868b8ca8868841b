package io.segmenttransfer.server.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.s3.S3Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/** A controller and the servers started against it in a test, closed together. */
final class DeepStoreTestCluster implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  final EmbeddedController controller;
  final ControllerClient client;
  private final Path dir;
  private final List<SegmentServer> servers = new ArrayList<>();

  DeepStoreTestCluster(EmbeddedController controller, Path dir) {
    this.controller = controller;
    this.client = ControllerClient.create(controller.baseUrl());
    this.dir = dir;
  }

  /**
   * A server with its own data dir under the test's, uploading to {@code deepStore}, reaching S3
   * with {@code s3}.
   */
  SegmentServer server(String name, URI deepStore, S3Config s3) {
    return server(name, deepStore, s3, java.util.Map.of());
  }

  /** The same, with further settings ({@code ServerSettings} keys). */
  SegmentServer server(
      String name, URI deepStore, S3Config s3, java.util.Map<String, Object> settingsOverrides) {
    ServerSettings base =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", dir.resolve(name))
            .override("adminPort", 0)
            .override("deepStore", deepStore)
            .override("longPoll", "2s");
    for (var entry : settingsOverrides.entrySet()) {
      base = base.override(entry.getKey(), entry.getValue());
    }
    ServerConfig settings = base.toConfig();
    ServerConfig config =
        new ServerConfig(
            settings.controller(),
            settings.dataDir(),
            settings.host(),
            settings.adminPort(),
            settings.instanceId(),
            settings.deepStore(),
            settings.maxParallelDownloads(),
            settings.maxParallelDownloadsPerTable(),
            settings.maxPeerUploads(),
            settings.peerBytesPerSecond(),
            settings.longPoll(),
            settings.shutdownDeadline(),
            settings.keyset(),
            s3);
    SegmentServer server = SegmentServer.start(config).block(TIMEOUT);
    servers.add(server);
    return server;
  }

  /** Completes once {@code instanceId} reports {@code segment} ONLINE; polls the external view. */
  void awaitOnline(SegmentId segment, String instanceId) {
    Mono.defer(() -> client.externalView(segment.table().rawName()))
        .onErrorResume(SourceNotFoundException.class, e -> Mono.empty())
        .map(ExternalView::byType)
        .filter(
            view ->
                "ONLINE"
                    .equals(
                        view.getOrDefault(segment.table().type(), java.util.Map.of())
                            .getOrDefault(segment.segmentName(), java.util.Map.of())
                            .get(instanceId)))
        .repeatWhenEmpty(checks -> checks.delayElements(Duration.ofMillis(50)))
        .block(TIMEOUT);
  }

  /**
   * {@code POST /segments/{table}/{segment}/commit} on {@code server} with the segment directory
   * built beside it: the answer's JSON (status, downloadUrl, crc), once the metadata commit is
   * decided.
   */
  static JsonNode commit(SegmentServer server, SegmentId segment, Path segmentDir) {
    return commit(server.baseUrl(), segment, segmentDir);
  }

  /** The same against the server listening at {@code serverUrl} (another process, say). */
  static JsonNode commit(String serverUrl, SegmentId segment, Path segmentDir) {
    String text =
        HttpClient.create()
            .post()
            .uri(
                serverUrl
                    + "/segments/"
                    + segment.table()
                    + "/"
                    + segment.segmentName()
                    + "/commit")
            .send(
                ByteBufFlux.fromString(
                    Mono.fromCallable(
                        () ->
                            JSON.writeValueAsString(
                                java.util.Map.of("segmentDir", segmentDir.toString())))))
            .responseSingle((response, content) -> content.asString())
            .block(TIMEOUT);
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** {@code GET /periodictask/run?taskname=RealtimeSegmentValidationManager}: the answer's JSON. */
  JsonNode runRepair() {
    String body =
        HttpClient.newConnection()
            .get()
            .uri(
                controller.baseUrl()
                    + "/periodictask/run?taskname=RealtimeSegmentValidationManager")
            .responseSingle(
                (response, content) ->
                    content
                        .asString()
                        .map(
                            text -> {
                              if (response.status().code() != 200) {
                                throw new AssertionError(
                                    "repair run answered " + response.status() + ": " + text);
                              }
                              return text;
                            }))
            .block(TIMEOUT);
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  @Override
  public void close() {
    servers.forEach(SegmentServer::close);
    controller.close();
  }
}
