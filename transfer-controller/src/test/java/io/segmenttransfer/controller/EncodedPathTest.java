package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.call;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static io.segmenttransfer.controller.ControllerTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every controller route that names a segment in its path reads the name decoded: a space, a plus
 * sign (sent escaped and as such) and a literal {@code %2B}, all legal in a segment name.
 */
class EncodedPathTest {

  private static final TableNameWithType EVENTS = TableNameWithType.parse("events_OFFLINE");

  /** The name as the segment has it. */
  private static final String NAME = "events 0+1%2B";

  /** The name as a client puts it in a path. */
  private static final String ENCODED = "events%200%2B1%252B";

  /** The same with the plus sign sent as such, which a path allows. */
  private static final String PLUS_AS_IS = "events%200+1%252B";

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;
  private String base;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    base = controller.baseUrl();
    client = ControllerClient.create(base);
    client.createTable(EVENTS, 1).block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void metadataRoutesDecodeTheSegmentName() {
    ControllerTestSupport.Reply put =
        send(
            base,
            HttpMethod.PUT,
            "/segments/events_OFFLINE/" + ENCODED + "/metadata",
            "{\"segment.crc\": \"12\", \"segment.download.url\": \"\"}");
    assertThat(put.status()).as(put.text()).isEqualTo(200);
    assertThat(client.segments(EVENTS).block(TIMEOUT)).containsExactly(NAME);

    for (String path : new String[] {ENCODED, PLUS_AS_IS}) {
      ControllerTestSupport.Reply metadata =
          get(base, "/segments/events_OFFLINE/" + path + "/metadata");
      assertThat(metadata.status()).as(path + ": " + metadata.text()).isEqualTo(200);
      assertThat(metadata.json().get("segment.crc").asText()).isEqualTo("12");
    }
  }

  @Test
  void uploadDownloadAndDeleteDecodeTheirParameters() {
    byte[] columns = new byte[4000];
    new Random(5).nextBytes(columns);
    byte[] archive =
        TestArchives.archive(
            Codec.GZIP,
            NAME,
            TestArchives.segmentFiles(
                Map.of(
                    "v3/columns.psf",
                    columns,
                    "v3/metadata.properties",
                    ("segment.name=" + NAME + "\nsegment.total.docs=42\n")
                        .getBytes(StandardCharsets.UTF_8))));
    // The upload names its table in the query, escaped as a client may.
    ControllerTestSupport.Reply upload =
        call(
            base,
            HttpMethod.POST,
            "/v2/segments?tableName=ev%65nts&tableType=OFFLINE",
            multipart("b0undary", archive),
            Map.of("Content-Type", "multipart/form-data; boundary=b0undary"));
    assertThat(upload.status()).as(upload.text()).isEqualTo(200);
    assertThat(client.segments(EVENTS).block(TIMEOUT)).containsExactly(NAME);

    ControllerTestSupport.Reply download = get(base, "/segments/events/" + ENCODED);
    assertThat(download.status()).as(download.text()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(archive);
    ControllerTestSupport.Reply head =
        call(base, HttpMethod.HEAD, "/segments/events_OFFLINE/" + PLUS_AS_IS, null, Map.of());
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.headers().get("Content-Length")).isEqualTo(Integer.toString(archive.length));
    ControllerTestSupport.Reply tail =
        call(
            base,
            HttpMethod.GET,
            "/segments/events/" + ENCODED,
            null,
            Map.of("Range", "bytes=100-"));
    assertThat(tail.status()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(archive, 100, archive.length));

    ControllerTestSupport.Reply delete =
        call(base, HttpMethod.DELETE, "/segments/events_OFFLINE/" + ENCODED, null, Map.of());
    assertThat(delete.status()).as(delete.text()).isEqualTo(200);
    assertThat(client.segments(EVENTS).block(TIMEOUT)).isEmpty();
  }

  @Test
  void stateReportsDecodeTheSegmentName() {
    String id = client.register("127.0.0.1", 8098, 8097).block(TIMEOUT);
    send(
        base,
        HttpMethod.PUT,
        "/segments/events_OFFLINE/" + ENCODED + "/metadata",
        "{\"segment.crc\": \"12\"}");

    ControllerTestSupport.Reply report =
        send(
            base,
            HttpMethod.PUT,
            "/instances/" + id + "/segments/events%5FOFFLINE/" + PLUS_AS_IS + "/state",
            "{\"state\": \"ONLINE\"}");
    assertThat(report.status()).as(report.text()).isEqualTo(200);
    assertThat(
            client
                .externalView("events")
                .block(TIMEOUT)
                .onlineInstances(SegmentId.of("events_OFFLINE", NAME)))
        .containsExactly(id);

    ControllerTestSupport.Reply drop =
        call(
            base,
            HttpMethod.DELETE,
            "/instances/" + id + "/segments/events_OFFLINE/" + ENCODED + "/state",
            null,
            Map.of());
    assertThat(drop.status()).as(drop.text()).isEqualTo(200);
  }

  @Test
  void anEscapeThatIsNotUtf8IsABadRequest() {
    ControllerTestSupport.Reply reply = get(base, "/segments/events_OFFLINE/%FF/metadata");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().get("code").asInt()).isEqualTo(400);
  }

  private static byte[] multipart(String boundary, byte[] content) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.tar.gz\""
                + "\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    all.writeBytes(content);
    all.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return all.toByteArray();
  }
}
