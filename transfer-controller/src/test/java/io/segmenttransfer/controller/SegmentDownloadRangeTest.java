package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's download answers every range form {@code ByteRange} reads. */
class SegmentDownloadRangeTest {

  @TempDir Path dir;
  private EmbeddedController controller;
  private byte[] all;
  private String path;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    client.createTable(TableNameWithType.parse(PinotFixtures.TABLE), 1).block(TIMEOUT);
    client
        .uploadSegment(TableNameWithType.parse(PinotFixtures.TABLE), fixture.file())
        .block(TIMEOUT);
    all = PinotFixtures.bytes(fixture);
    path = "/segments/events/" + fixture.segmentName();
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void servesAClosedRangeAndASuffix() {
    ControllerTestSupport.Reply middle = ranged("bytes=10-19");
    assertThat(middle.status()).isEqualTo(206);
    assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(all, 10, 20));
    assertThat(middle.headers().get("Content-Range")).isEqualTo("bytes 10-19/" + all.length);

    ControllerTestSupport.Reply suffix = ranged("bytes=-100");
    assertThat(suffix.status()).isEqualTo(206);
    assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(all, all.length - 100, all.length));

    ControllerTestSupport.Reply pastTheEnd =
        ranged("bytes=" + (all.length - 5) + "-" + (all.length + 1000));
    assertThat(pastTheEnd.status()).isEqualTo(206);
    assertThat(pastTheEnd.body()).isEqualTo(Arrays.copyOfRange(all, all.length - 5, all.length));
  }

  @Test
  void ignoresRangesItCannotHonour() {
    for (String header : new String[] {"bytes=0-1,5-9", "bytes=9-3", "items=0-", "bytes=x-"}) {
      ControllerTestSupport.Reply reply = ranged(header);
      assertThat(reply.status()).as(header).isEqualTo(200);
      assertThat(reply.body()).as(header).isEqualTo(all);
    }
  }

  @Test
  void aRangeThatSelectsNothingIs416InPinotsErrorShape() {
    for (String header : new String[] {"bytes=" + all.length + "-", "bytes=-0"}) {
      ControllerTestSupport.Reply reply = ranged(header);
      assertThat(reply.status()).as(header).isEqualTo(416);
      assertThat(reply.headers().get("Content-Range")).isEqualTo("bytes */" + all.length);
      assertThat(reply.json().get("code").asInt()).isEqualTo(416);
    }
  }

  private ControllerTestSupport.Reply ranged(String range) {
    return call(controller.baseUrl(), HttpMethod.GET, path, null, Map.of("Range", range));
  }
}
