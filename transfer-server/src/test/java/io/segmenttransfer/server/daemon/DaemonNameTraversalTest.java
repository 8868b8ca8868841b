package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.HostileNames;
import io.segmenttransfer.core.testing.RawHttp;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/**
 * No route of a server's admin surface, the peer download routes included, can touch a file outside
 * its directories: every traversal form in every name is refused before use, and the tree around
 * the data directory, planted with files a traversal would reach (an archive and a segment
 * directory beside the data directory), is unchanged afterwards.
 */
class DaemonNameTraversalTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final String SECRET = "secret that no route may read";

  /** Each route twice: the hostile name as the table, then as the segment. */
  private static final List<String> ROUTES =
      List.of(
          "GET /segments/%s/%s",
          "HEAD /segments/%s/%s",
          "POST /segments/%s/%s/upload?uploadTimeoutMs=2000",
          "POST /segments/%s/%s/uploadLLCSegment?uploadTimeoutMs=2000",
          "POST /segments/%s/%s/commit",
          "GET /tables/%s/segments/crc?x=%s",
          "GET /tables/%s/segments/isStale?x=%s");

  @TempDir Path root;
  private EmbeddedController controller;
  private SegmentServer server;

  @BeforeEach
  void start() throws IOException {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(root.resolve("controller")).withPort(0));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    client.createTable(TABLE, 1).block(TIMEOUT);
    client.uploadSegment(TABLE, archive("s1")).block(TIMEOUT);
    ServerConfig config =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", root.resolve("server"))
            .override("adminPort", 0)
            .override("deepStore", root.resolve("uploads").toUri())
            .override("longPoll", "2s")
            .toConfig();
    server = SegmentServer.start(config).block(TIMEOUT);
    server.bootstrapped().block(TIMEOUT);
    // A segment directory and archives a traversal out of the data directory would reach.
    Files.createDirectories(root.resolve("secret/v3"));
    Files.writeString(root.resolve("secret/v3/metadata.properties"), SECRET);
    Files.writeString(root.resolve("secret.tar.gz"), SECRET);
    Files.writeString(root.resolve("server/secret.tar.gz"), SECRET);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    controller.close();
  }

  @Test
  void everyTraversalFormInEveryNameIsRefusedAndNoFileChanges() {
    Map<String, String> before = DirectorySnapshot.of(root);
    int port = Integer.parseInt(server.baseUrl().replaceAll(".*:", ""));
    List<String> failures = new ArrayList<>();
    int sent = 0;
    for (String route : ROUTES) {
      for (String hostile : HostileNames.IN_URL) {
        for (String request :
            new String[] {
              String.format(route, hostile, "s1"), String.format(route, TABLE, hostile)
            }) {
          if (request.contains("?x=")) {
            request = request.substring(0, request.indexOf("?x="));
            if (!request.contains(hostile)) {
              continue; // those routes take one name only
            }
          }
          RawHttp.Response reply = exchange(port, request);
          sent++;
          if (reply.status() != 400 && reply.status() != 404 && reply.status() != 405) {
            failures.add(request + " -> " + reply.status() + " " + reply.text());
          }
          if (reply.text().contains(SECRET)) {
            failures.add(request + " -> answered the planted file");
          }
        }
      }
    }
    assertThat(failures).as("of %d requests", sent).isEmpty();
    assertThat(sent).isGreaterThan(ROUTES.size() * HostileNames.IN_URL.size());
    assertThat(DirectorySnapshot.of(root)).isEqualTo(before);
    assertThat(exchange(port, "GET /segments/events_OFFLINE/s1").status()).isEqualTo(200);
  }

  /** Found by the fuzz suite: a malformed escape in a query was answered 500. */
  @Test
  void aMalformedQueryEscapeIsABadRequest() {
    int port = Integer.parseInt(server.baseUrl().replaceAll(".*:", ""));
    for (String request :
        new String[] {
          "GET /transfers?format=%A",
          "POST /segments/events_OFFLINE/s1/upload?uploadTimeoutMs=%zz",
          "GET /segments/events_OFFLINE/s1?codec=%"
        }) {
      RawHttp.Response reply = exchange(port, request);
      assertThat(reply.status()).as(request + ": " + reply.text()).isEqualTo(400);
      assertThat(reply.text()).contains("query string is malformed");
    }
  }

  private static RawHttp.Response exchange(int port, String methodAndPath) {
    String body = "{\"segmentDir\": \"/tmp\"}";
    String request =
        methodAndPath
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body;
    return RawHttp.exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), TIMEOUT);
  }

  private Path archive(String name) throws IOException {
    byte[] bytes =
        TestArchives.archive(
            Codec.GZIP,
            name,
            TestArchives.segmentFiles(
                Map.of(
                    "v3/columns.psf",
                    new byte[1000],
                    "v3/metadata.properties",
                    ("segment.name=" + name + "\nsegment.total.docs=42\n")
                        .getBytes(StandardCharsets.UTF_8))));
    Path file = Files.createDirectories(root.resolve("archives")).resolve(name + ".tar.gz");
    return Files.write(file, bytes);
  }
}
