package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

/**
 * The daemon's admin routes read their path parameters decoded: segment names with a space, a plus
 * sign (sent escaped and as such) and a literal {@code %2B}, and an escaped table name. The
 * segments also travel controller to server by the controller's download URL, which keeps the plus
 * as is.
 */
class AdminRoutesEncodingTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A name with a space, a plus sign and a literal "%2B". */
  private static final String SPACED = "events 0+1%2B";

  private static final String SPACED_ENCODED = "events%200%2B1%252B";
  private static final String SPACED_PLUS_AS_IS = "events%200+1%252B";

  /** A name with a plus sign only: the upload route builds a deep-store URI from the name as is. */
  private static final String PLUS = "events_2+3";

  private static final String PLUS_ENCODED = "events_2%2B3";

  @TempDir Path dir;
  private EmbeddedController controller;
  private SegmentServer server;

  @BeforeEach
  void start() throws IOException {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(dir.resolve("controller")).withPort(0));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    client.createTable(TABLE, 1).block(TIMEOUT);
    for (String name : new String[] {SPACED, PLUS}) {
      client.uploadSegment(TABLE, archive(name)).block(TIMEOUT);
    }
    ServerConfig config =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", dir.resolve("server"))
            .override("adminPort", 0)
            .override("deepStore", dir.resolve("uploads").toUri())
            .override("longPoll", "2s")
            .toConfig();
    server = SegmentServer.start(config).block(TIMEOUT);
    server.bootstrapped().block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    controller.close();
  }

  @Test
  void peerDownloadDecodesTheSegmentName() {
    for (String path : new String[] {SPACED_ENCODED, SPACED_PLUS_AS_IS}) {
      Reply reply = call("GET", "/segments/events_OFFLINE/" + path);
      assertThat(reply.status()).as(path).isEqualTo(200);
      assertThat(reply.headers().get("Content-Disposition")).contains(SPACED + ".tar.gz");
    }
  }

  @Test
  void crcListingDecodesTheTableName() throws IOException {
    Reply reply = call("GET", "/tables/events%5FOFFLINE/segments/crc");
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(JSON.readTree(reply.body()).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(SPACED, PLUS);
  }

  @Test
  void uploadDecodesTheSegmentName() throws IOException {
    Reply reply =
        call(
            "POST", "/segments/events%5FOFFLINE/" + PLUS_ENCODED + "/upload?uploadTimeoutMs=10000");
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    JsonNode answer = JSON.readTree(reply.body());
    assertThat(answer.get("segmentName").asText()).isEqualTo(PLUS);
    assertThat(Path.of(URI.create(answer.get("downloadUrl").asText()))).exists();
  }

  @Test
  void uploadOfASegmentNotHeldIsNotFoundInPinotsErrorShape() throws IOException {
    Reply reply = call("POST", "/segments/events_OFFLINE/nothing%2Bhere/upload");
    assertThat(reply.status()).isEqualTo(404);
    JsonNode error = JSON.readTree(reply.body());
    assertThat(error.get("code").asInt()).isEqualTo(404);
    assertThat(error.get("error").asText()).contains("nothing+here");
  }

  @Test
  void anEscapeThatIsNotUtf8IsABadRequestOnEveryRoute() {
    assertThat(call("GET", "/segments/events_OFFLINE/%FF").status()).isEqualTo(400);
    assertThat(call("POST", "/segments/events_OFFLINE/%FF/upload").status()).isEqualTo(400);
    assertThat(call("GET", "/tables/%FF/segments/crc").status()).isEqualTo(400);
  }

  private Path archive(String name) throws IOException {
    byte[] columns = new byte[3000];
    new Random(name.hashCode()).nextBytes(columns);
    byte[] bytes =
        TestArchives.archive(
            Codec.GZIP,
            name,
            TestArchives.segmentFiles(
                Map.of(
                    "v3/columns.psf",
                    columns,
                    "v3/metadata.properties",
                    ("segment.name=" + name + "\nsegment.total.docs=42\n")
                        .getBytes(StandardCharsets.UTF_8))));
    Path file =
        Files.createDirectories(dir.resolve("archives"))
            .resolve(Math.abs(name.hashCode()) + ".tar.gz");
    return Files.write(file, bytes);
  }

  private record Reply(int status, io.netty.handler.codec.http.HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private Reply call(String method, String path) {
    return HttpClient.newConnection()
        .request(io.netty.handler.codec.http.HttpMethod.valueOf(method))
        .uri(server.baseUrl() + path)
        .responseSingle(
            (response, content) ->
                content
                    .asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(
                        bytes ->
                            new Reply(
                                response.status().code(),
                                response.responseHeaders().copy(),
                                bytes)))
        .block(TIMEOUT);
  }
}
