package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.call;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static io.segmenttransfer.controller.ControllerTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** Tar push, the metadata it records, download with ranges, tables, instances and bad requests. */
class SegmentUploadTest {

  private static final TableNameWithType EVENTS = TableNameWithType.parse(PinotFixtures.TABLE);

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void uploadRecordsTheMetadataPinotWouldAndServesTheArchiveBackByteForByte() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    client.createTable(EVENTS, 1).block(TIMEOUT);
    long before = System.currentTimeMillis();

    StepVerifier.create(client.uploadSegment(EVENTS, fixture.file()))
        .expectComplete()
        .verify(TIMEOUT);

    SegmentId id = SegmentId.of(PinotFixtures.TABLE, fixture.segmentName());
    SegmentMetadata metadata = client.metadata(id).block(TIMEOUT);
    assertThat(metadata.crc()).isEqualTo(fixture.crc());
    assertThat(metadata.fields())
        .containsEntry(
            "segment.creation.time",
            Long.toString(ControllerTestSupport.creationTimeMs(fixture.segmentName())))
        .containsEntry("segment.size.in.bytes", Long.toString(fixture.size()))
        .containsEntry(
            "segment.download.url",
            controller.baseUrl() + "/segments/events/" + fixture.segmentName())
        .containsEntry("segment.total.docs", "20000")
        .containsEntry("segment.start.time", "1700000000112")
        .containsEntry("segment.end.time", "1700003599988")
        .containsEntry("segment.time.unit", "MILLISECONDS")
        .containsEntry("segment.index.version", "v3")
        .doesNotContainKey("segment.refresh.time");
    assertThat(Long.parseLong(metadata.fields().get("segment.push.time")))
        .isBetween(before, System.currentTimeMillis());

    // The raw record: a flat object of strings, as Pinot serves it.
    JsonNode raw =
        get(controller.baseUrl(), "/segments/events_OFFLINE/" + fixture.segmentName() + "/metadata")
            .json();
    raw.properties()
        .forEach(field -> assertThat(field.getValue().isTextual()).as(field.getKey()).isTrue());
    assertThat(get(controller.baseUrl(), "/segments/events").json().toString())
        .isEqualTo("[{\"OFFLINE\":[\"" + fixture.segmentName() + "\"]}]");

    // Stored in the deep store under the table with its codec's extension.
    Path stored = dir.resolve("deepstore/events_OFFLINE/" + fixture.segmentName() + ".tar.gz");
    assertThat(Files.readAllBytes(stored)).isEqualTo(PinotFixtures.bytes(fixture));

    ControllerTestSupport.Reply download =
        get(controller.baseUrl(), "/segments/events/" + fixture.segmentName());
    assertThat(download.status()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(PinotFixtures.bytes(fixture));
    assertThat(download.headers().get("Content-Length")).isEqualTo(Long.toString(fixture.size()));
    String etag = download.headers().get("ETag");
    assertThat(etag).isNotBlank();

    int from = 123_457;
    ControllerTestSupport.Reply tail =
        call(
            controller.baseUrl(),
            HttpMethod.GET,
            "/segments/events/" + fixture.segmentName(),
            null,
            Map.of("Range", "bytes=" + from + "-", "If-Match", etag));
    assertThat(tail.status()).isEqualTo(206);
    byte[] all = PinotFixtures.bytes(fixture);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(all, from, all.length));
    assertThat(tail.headers().get("Content-Range"))
        .isEqualTo("bytes " + from + "-" + (all.length - 1) + "/" + all.length);

    assertThat(
            call(
                    controller.baseUrl(),
                    HttpMethod.GET,
                    "/segments/events/" + fixture.segmentName(),
                    null,
                    Map.of("If-Match", "\"another-version\""))
                .status())
        .isEqualTo(412);
    assertThat(
            call(
                    controller.baseUrl(),
                    HttpMethod.GET,
                    "/segments/events/" + fixture.segmentName(),
                    null,
                    Map.of("Range", "bytes=" + all.length + "-"))
                .status())
        .isEqualTo(416);
  }

  @Test
  void zstdArchiveIsStoredUnderItsOwnExtensionAndDeletedWithTheSegment() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    client.createTable(EVENTS, 1).block(TIMEOUT);
    client.uploadSegment(EVENTS, fixture.file()).block(TIMEOUT);
    Path stored = dir.resolve("deepstore/events_OFFLINE/" + fixture.segmentName() + ".tar.zst");
    assertThat(stored).exists();
    SegmentId id = SegmentId.of(PinotFixtures.TABLE, fixture.segmentName());
    assertThat(client.metadata(id).block(TIMEOUT).crc()).isEqualTo(fixture.crc());

    StepVerifier.create(client.deleteSegment(id)).expectComplete().verify(TIMEOUT);

    assertThat(stored).doesNotExist();
    StepVerifier.create(client.metadata(id))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    assertThat(get(controller.baseUrl(), "/segments/events").json().toString())
        .isEqualTo("[{\"OFFLINE\":[]}]");
  }

  @Test
  void tablesAreCreatedReadAndDeletedInPinotShapes() {
    String config =
        "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"2\","
            + "\"peerSegmentDownloadScheme\":\"http\"},\"tenants\":{\"broker\":\"DefaultTenant\"}}";
    ControllerTestSupport.Reply created =
        send(controller.baseUrl(), HttpMethod.POST, "/tables", config);
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    assertThat(created.json().get("status").asText()).contains("events_OFFLINE");
    assertThat(send(controller.baseUrl(), HttpMethod.POST, "/tables", config).status())
        .isEqualTo(409);

    JsonNode read = get(controller.baseUrl(), "/tables/events").json();
    assertThat(read.get("OFFLINE").get("tableName").asText()).isEqualTo("events_OFFLINE");
    assertThat(read.get("OFFLINE").at("/segmentsConfig/replication").asText()).isEqualTo("2");
    assertThat(read.get("OFFLINE").at("/segmentsConfig/peerSegmentDownloadScheme").asText())
        .isEqualTo("http");
    assertThat(read.get("OFFLINE").at("/tenants/broker").asText()).isEqualTo("DefaultTenant");
    assertThat(read.has("REALTIME")).isFalse();
    TableConfig typed =
        client.table("events").block(TIMEOUT).get(TableNameWithType.TableType.OFFLINE);
    assertThat(typed.replication()).isEqualTo(2);
    assertThat(typed.peerSegmentDownloadScheme()).isEqualTo("http");

    StepVerifier.create(client.deleteTable("events")).expectComplete().verify(TIMEOUT);
    ControllerTestSupport.Reply gone = get(controller.baseUrl(), "/tables/events");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().get("code").asInt()).isEqualTo(404);
    assertThat(gone.json().get("error").asText()).contains("events");
  }

  @Test
  void badRequestsAreAnsweredWithAStatusAndAMessage() {
    ControllerTestSupport.Reply unknown = get(controller.baseUrl(), "/segments/nosuch");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).contains("nosuch");

    ControllerTestSupport.Reply badReplication =
        send(
            controller.baseUrl(),
            HttpMethod.POST,
            "/tables",
            "{\"tableName\":\"t\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"two\"}}");
    assertThat(badReplication.status()).isEqualTo(400);
    assertThat(badReplication.json().get("error").asText()).contains("segmentsConfig.replication");
    ControllerTestSupport.Reply noType =
        send(controller.baseUrl(), HttpMethod.POST, "/tables", "{\"tableName\":\"t\"}");
    assertThat(noType.status()).isEqualTo(400);
    assertThat(noType.json().get("error").asText()).contains("tableType");
    assertThat(send(controller.baseUrl(), HttpMethod.POST, "/tables", "{not json").status())
        .isEqualTo(400);

    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    StepVerifier.create(client.uploadSegment(EVENTS, fixture.file()))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceNotFoundException.class)
                    .hasMessageContaining("events_OFFLINE"))
        .verify(TIMEOUT);

    client.createTable(EVENTS, 1).block(TIMEOUT);
    byte[] text =
        "this is not an archive, just a few lines of text\n"
            .repeat(20)
            .getBytes(StandardCharsets.UTF_8);
    ControllerTestSupport.Reply notArchive =
        call(
            controller.baseUrl(),
            HttpMethod.POST,
            "/v2/segments?tableName=events&tableType=OFFLINE",
            multipart("b0undary", "notes.tar.gz", text),
            Map.of("Content-Type", "multipart/form-data; boundary=b0undary"));
    assertThat(notArchive.status()).isEqualTo(400);
    assertThat(notArchive.json().get("error").asText()).contains("unrecognised archive format");

    byte[] all = PinotFixtures.bytes(fixture);
    ControllerTestSupport.Reply truncated =
        call(
            controller.baseUrl(),
            HttpMethod.POST,
            "/v2/segments?tableName=events&tableType=OFFLINE",
            multipart("xyz", "cut.tar.gz", Arrays.copyOf(all, all.length / 2)),
            Map.of("Content-Type", "multipart/form-data; boundary=xyz"));
    assertThat(truncated.status()).isEqualTo(400);
    assertThat(dir.resolve("deepstore/events_OFFLINE"))
        .satisfiesAnyOf(d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());
    assertThat(get(controller.baseUrl(), "/segments/events").json().toString())
        .isEqualTo("[{\"OFFLINE\":[]}]");

    StepVerifier.create(
            client.putMetadata(
                SegmentMetadata.of(
                    SegmentId.of("events_OFFLINE", "s"),
                    Map.of("segment.crc", "12", "segment.download.url", ""))))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(client.metadata(SegmentId.of("events_OFFLINE", "s")).block(TIMEOUT).downloadUrl())
        .contains("");
    assertThat(get(controller.baseUrl(), "/segments/events/s").status()).isEqualTo(404);
    StepVerifier.create(
            client.reportState(
                "Server_nobody_1", SegmentId.of("events_OFFLINE", "s"), SegmentState.ONLINE))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    assertThat(
            send(controller.baseUrl(), HttpMethod.POST, "/instances", "{\"host\":\"h\"}").status())
        .isEqualTo(400);
    StepVerifier.create(client.createTable(EVENTS, 1))
        .expectError(InvalidRequestException.class)
        .verify(TIMEOUT);
  }

  @Test
  void instancesRegisterIdempotentlyAndReadInPinotShape() {
    StepVerifier.create(client.register("10.0.0.7", 8098, 8097))
        .expectNext("Server_10.0.0.7_8098")
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(client.register("10.0.0.7", 8098, 8097))
        .expectNext("Server_10.0.0.7_8098")
        .expectComplete()
        .verify(TIMEOUT);
    client.register("10.0.0.8", 8098, 9097).block(TIMEOUT);

    assertThat(get(controller.baseUrl(), "/instances").json().toString())
        .isEqualTo("{\"instances\":[\"Server_10.0.0.7_8098\",\"Server_10.0.0.8_8098\"]}");
    JsonNode instance = get(controller.baseUrl(), "/instances/Server_10.0.0.8_8098").json();
    assertThat(instance.get("instanceName").asText()).isEqualTo("Server_10.0.0.8_8098");
    assertThat(instance.get("hostName").asText()).isEqualTo("10.0.0.8");
    assertThat(instance.get("enabled").asBoolean()).isTrue();
    assertThat(instance.get("port").isTextual()).isTrue();
    assertThat(instance.get("port").asText()).isEqualTo("8098");
    assertThat(instance.get("adminPort").isNumber()).isTrue();
    assertThat(instance.get("adminPort").asInt()).isEqualTo(9097);
    StepVerifier.create(client.instance("Server_10.0.0.8_8098"))
        .expectNext(InstanceInfo.server("10.0.0.8", 8098, 9097))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(get(controller.baseUrl(), "/instances/Server_nobody_1").status()).isEqualTo(404);
  }

  /** A multipart body with a small text field before the file part, as form posts often have. */
  static byte[] multipart(String boundary, String fileName, byte[] content) {
    String head =
        "preamble to ignore\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
            + fileName
            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + content.length + t.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(content, 0, all, h.length, content.length);
    System.arraycopy(t, 0, all, h.length + content.length, t.length);
    return all;
  }
}
