package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.HostileNames;
import io.segmenttransfer.core.testing.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No controller route can touch a file outside its directories: every traversal form of {@link
 * HostileNames} in every name a route takes (path parameters and the query parameters that name a
 * table, segment or instance) is refused before use, and the whole tree around the controller's
 * data directory, planted with files a traversal would reach, is byte for byte the same afterwards.
 */
class NameTraversalTest {

  /** Every route that takes a name, with each name as a {placeholder} filled by a valid value. */
  private static final List<String> ROUTES =
      List.of(
          "GET /segments/{table}/{segment}/metadata",
          "PUT /segments/{table}/{segment}/metadata",
          "GET /segments/{table}/{segment}",
          "HEAD /segments/{table}/{segment}",
          "DELETE /segments/{table}/{segment}",
          "GET /segments/{table}",
          "PUT /segments/{table}/{segment}/downloadUrl?downloadUrl=file:///x",
          "POST /segments?tableName={table}",
          "POST /v2/segments?tableName={table}",
          "GET /instances/{instance}/assignment?timeoutMs=1",
          "PUT /instances/{instance}/segments/{table}/{segment}/state",
          "DELETE /instances/{instance}/segments/{table}/{segment}/state",
          "DELETE /instances/{instance}/session",
          "GET /instances/{instance}",
          "DELETE /instances/{instance}",
          "GET /tasks/DeepStoreSync/runs/{run}",
          "DELETE /tasks/DeepStoreSync/runs/{run}",
          "POST /tasks/DeepStoreSync/run?tableName={table}&wait=false",
          "GET /periodictask/run?taskname=DeepStoreRepair&tableName={table}",
          "GET /schemas/{schema}",
          "PUT /schemas/{schema}",
          "DELETE /schemas/{schema}",
          "GET /tables/{table}/idealstate",
          "GET /tables/{table}/externalview",
          "GET /tables/{table}/configHash",
          "GET /tables/{table}",
          "PUT /tables/{table}",
          "DELETE /tables/{table}",
          "GET /segmentConsumed?name={llc}&instance={instance}&offset=1",
          "GET /segmentCommitStart?name={llc}&instance={instance}&offset=1",
          "GET /segmentStoppedConsuming?name={llc}&instance={instance}&offset=1",
          "GET /extendBuildTime?name={llc}&instance={instance}&offset=1&extraTimeSec=1",
          "POST /segmentCommitEndWithMetadata?name={llc}&instance={instance}&offset=1",
          "POST /segmentUpload?name={llc}&instance={instance}&offset=1",
          "POST /segmentCommitEnd?name={llc}&instance={instance}&offset=1",
          "POST /segmentCommit?name={llc}&instance={instance}&offset=1");

  private static final Map<String, String> VALID =
      Map.of(
          "table", "events_OFFLINE",
          "segment", "s1",
          "instance", "Server_127.0.0.1_7000",
          "run", "r1",
          "schema", "events",
          "llc", "rt__0__0__20240101T0000Z");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

  private static final String SECRET = "secret that no route may read";

  @TempDir Path root;
  private EmbeddedController controller;

  @BeforeEach
  void start() throws IOException {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(root.resolve("data")).withPort(0));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    client.createTable(TableNameWithType.parse("events_OFFLINE"), 1).block(TIMEOUT);
    assertThat(
            send(
                    controller.baseUrl(),
                    HttpMethod.PUT,
                    "/segments/events_OFFLINE/s1/metadata",
                    "{\"segment.crc\": \"12\", \"segment.download.url\": \"\"}")
                .status())
        .isEqualTo(200);
    // What a traversal out of the data directory or its state directory would reach.
    for (String file :
        new String[] {
          "secret", "secret.json", "secret.tar.gz", "data/secret.json", "data/state/secret.json"
        }) {
      Files.writeString(root.resolve(file), SECRET);
    }
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void everyTraversalFormInEveryNameIsRefusedAndNoFileChanges() {
    Map<String, String> before = DirectorySnapshot.of(root);
    List<String> failures = new ArrayList<>();
    int sent = 0;
    for (String route : ROUTES) {
      for (String position : placeholders(route)) {
        for (String hostile : HostileNames.IN_URL) {
          String request = fill(route, position, hostile);
          RawHttp.Response reply = exchange(request);
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
    // Still serving: the valid names answer.
    assertThat(exchange("GET /segments/events_OFFLINE/s1/metadata").status()).isEqualTo(200);
  }

  /** Found by the fuzz suite: a malformed escape in a query was answered 500. */
  @Test
  void aMalformedQueryEscapeIsABadRequest() {
    for (String request :
        new String[] {
          "GET /segmentConsumed?name=rt__0__0__20240101T0000Z&instance=%A&offset=1",
          "POST /segments?tableName=%zz",
          "GET /periodictask/run?taskname=%",
          "GET /segments/events_OFFLINE?type=%G1"
        }) {
      RawHttp.Response reply = exchange(request);
      assertThat(reply.status()).as(request + ": " + reply.text()).isEqualTo(400);
      assertThat(reply.text()).contains("query string is malformed");
    }
  }

  private static List<String> placeholders(String route) {
    List<String> names = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(route);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The route with {@code position} holding {@code value} and every other name a valid one. */
  private static String fill(String route, String position, String value) {
    Matcher m = PLACEHOLDER.matcher(route);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1).equals(position) ? value : VALID.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private RawHttp.Response exchange(String methodAndPath) {
    String body = "{\"schemaName\": \"events\", \"tableName\": \"events_OFFLINE\"}";
    String request =
        methodAndPath
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + "Content-Type: application/json\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body;
    return RawHttp.exchange(
        controller.port(), request.getBytes(StandardCharsets.ISO_8859_1), TIMEOUT);
  }
}
