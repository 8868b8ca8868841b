package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.RawHttp;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's listener under its {@link ListenerLimits}: over a limit the client gets the
 * matching 4xx, the connection is closed, and neither the state nor the deep store changes; a real
 * push within the limits still succeeds, and a slow client does not stop others being served.
 */
class ControllerLimitsTest {

  private static final ListenerLimits LIMITS =
      ListenerLimits.defaults()
          .withHeaderSizes(2048, 2048)
          .withBodies(4096, 3, 1024)
          .withTimeouts(Duration.ofMillis(800), Duration.ofMinutes(1), Duration.ofMinutes(2));

  private static final String TABLE_JSON =
      "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"1\"}}";

  @TempDir Path dir;
  private EmbeddedController controller;

  @BeforeEach
  void start() {
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir).withPort(0).withListenerLimits(LIMITS));
    assertThat(post("/tables", "application/json", bytes(TABLE_JSON)).status()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void aJsonBodyOverTheLimitIs413ClosedAndNotStored() {
    Map<String, String> before = DirectorySnapshot.of(dir);
    String big =
        "{\"tableName\":\"big\",\"tableType\":\"OFFLINE\",\"pad\":\"" + "x".repeat(8192) + "\"}";
    // Declared by its length: refused before it is read.
    try (RawHttp http = RawHttp.connect(controller.port(), TIMEOUT)) {
      http.send(request("POST", "/tables", "application/json", bytes(big)));
      RawHttp.Response reply = http.readResponse();
      assertThat(reply.status()).isEqualTo(413);
      assertThat(reply.text()).contains("request body over 4096 bytes");
      assertThat(http.closedByServer()).isTrue();
    }
    // Chunked, with no length: refused once the bytes read pass the limit.
    try (RawHttp http = RawHttp.connect(controller.port(), TIMEOUT)) {
      http.send(
          "POST /tables HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n");
      for (int i = 0; i < 4; i++) {
        http.send(Integer.toHexString(2048) + "\r\n" + "y".repeat(2048) + "\r\n");
      }
      assertThat(http.readResponse().status()).isEqualTo(413);
      assertThat(http.closedByServer()).isTrue();
    }
    assertThat(DirectorySnapshot.of(dir)).isEqualTo(before);
    assertThat(get("/tables/big").status()).isEqualTo(404);
  }

  @Test
  void aPushWithTooManyPartsIs400AndStoresNothing() {
    Map<String, String> before = DirectorySnapshot.of(dir);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < 4; i++) {
      body.writeBytes(
          bytes("--b\r\nContent-Disposition: form-data; name=\"f" + i + "\"\r\n\r\nv\r\n"));
    }
    body.writeBytes(filePart(fixture()));
    RawHttp.Response reply =
        post("/segments?tableName=events", "multipart/form-data; boundary=b", body.toByteArray());
    assertThat(reply.status()).as(reply.text()).isEqualTo(400);
    assertThat(reply.text()).contains("more than 3 parts");
    assertThat(DirectorySnapshot.of(dir)).isEqualTo(before);
  }

  @Test
  void aPushWithAnOversizedFieldIs413AndStoresNothing() {
    Map<String, String> before = DirectorySnapshot.of(dir);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        bytes(
            "--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
                + "n".repeat(4000)
                + "\r\n"));
    body.writeBytes(filePart(fixture()));
    RawHttp.Response reply =
        post("/segments?tableName=events", "multipart/form-data; boundary=b", body.toByteArray());
    assertThat(reply.status()).as(reply.text()).isEqualTo(413);
    assertThat(reply.text()).contains("multipart part over 1024 bytes");
    assertThat(DirectorySnapshot.of(dir)).isEqualTo(before);
  }

  @Test
  void aRealPushWithinTheLimitsIsStored() {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(bytes("--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n"));
    body.writeBytes(filePart(fixture()));
    RawHttp.Response reply =
        post("/segments?tableName=events", "multipart/form-data; boundary=b", body.toByteArray());
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(get("/segments/events_OFFLINE").text()).contains("events_");
  }

  @Test
  void oversizedHeadersAre431AndClosed() {
    try (RawHttp http = RawHttp.connect(controller.port(), TIMEOUT)) {
      http.send("GET /tables HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(4096) + "\r\n\r\n");
      assertThat(http.readResponse().status()).isEqualTo(431);
      assertThat(http.closedByServer()).isTrue();
    }
    assertThat(get("/tables").status()).isEqualTo(200);
  }

  @Test
  void aSlowClientIsAnswered408AndClosedWhileOthersAreServed() throws InterruptedException {
    try (RawHttp slow = RawHttp.connect(controller.port(), TIMEOUT)) {
      slow.send("GET /tables HTTP/1.1\r\n");
      for (int i = 0; i < 5; i++) {
        slow.send("X");
        assertThat(get("/tables").status()).isEqualTo(200);
        Thread.sleep(100);
      }
      assertThat(slow.readResponse().status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
    }
  }

  private static byte[] fixture() {
    return PinotFixtures.bytes(PinotFixtures.archives().get(0));
  }

  private static byte[] filePart(byte[] archive) {
    ByteArrayOutputStream part = new ByteArrayOutputStream();
    part.writeBytes(
        bytes(
            "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.tar.gz\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"));
    part.writeBytes(archive);
    part.writeBytes(bytes("\r\n--b--\r\n"));
    return part.toByteArray();
  }

  private RawHttp.Response get(String path) {
    return RawHttp.exchange(
        controller.port(),
        bytes("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        TIMEOUT);
  }

  private RawHttp.Response post(String path, String contentType, byte[] body) {
    return RawHttp.exchange(controller.port(), request("POST", path, contentType, body), TIMEOUT);
  }

  private static byte[] request(String method, String path, String contentType, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        bytes(
            method
                + " "
                + path
                + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                + contentType
                + "\r\nContent-Length: "
                + body.length
                + "\r\n\r\n"));
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
