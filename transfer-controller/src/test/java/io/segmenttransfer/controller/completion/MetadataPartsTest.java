package io.segmenttransfer.controller.completion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.segmenttransfer.controller.MultipartParser;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The two named parts of a commit through the controller's multipart parser, however the body is
 * split into chunks, and the names LLC segments have.
 */
class MetadataPartsTest {

  static final String SEGMENT = "events__0__3__20261206T1200Z";

  /**
   * creation.meta bytes that look like the delimiter's start, so a split inside them must not
   * confuse the parser.
   */
  static final byte[] CREATION_META =
      new CreationMeta(0x0d0a2d2dL, 1_700_000_000_000L, OptionalLong.of(9)).toBytes();

  static final byte[] PROPERTIES =
      ("segment.name = "
              + SEGMENT
              + "\nsegment.total.docs = 42\nsegment.time.unit = DAYS\n"
              + "segment.start.time = 19000\nsegment.end.time = 19001\nsegment.index.version = v3\n")
          .getBytes(StandardCharsets.UTF_8);

  static CommitMetadata parse(byte[] body, int chunk) {
    MetadataParts parts = new MetadataParts(SEGMENT, CompletionConfig.DEFAULT_MAX_METADATA_BYTES);
    MultipartParser parser = new MultipartParser(CompletionHarness.BOUNDARY, parts);
    for (int i = 0; i < body.length; i += chunk) {
      parser.feed(
          Unpooled.wrappedBuffer(Arrays.copyOfRange(body, i, Math.min(body.length, i + chunk))));
    }
    parser.finish();
    return parts.metadata();
  }

  static byte[] body(Map<String, byte[]> parts) {
    return CompletionHarness.multipart(parts);
  }

  @Test
  void bothPartsAreReadWhateverTheChunking() {
    Map<String, byte[]> parts = new LinkedHashMap<>();
    parts.put("creation.meta", CREATION_META);
    parts.put("metadata.properties", PROPERTIES);
    byte[] body = body(parts);

    for (int chunk : new int[] {1, 2, 3, 5, 17, 64, body.length}) {
      CommitMetadata metadata = parse(body, chunk);
      assertThat(metadata.crc()).as("chunk %d", chunk).isEqualTo(0x0d0a2d2dL);
      assertThat(metadata.fields())
          .as("chunk %d", chunk)
          .containsEntry("segment.creation.time", "1700000000000")
          .containsEntry("segment.data.crc", "9")
          .containsEntry("segment.total.docs", "42")
          .containsEntry("segment.time.unit", "DAYS")
          .containsEntry("segment.start.time", "19000")
          .containsEntry("segment.end.time", "19001")
          .containsEntry("segment.index.version", "v3");
    }
  }

  @Test
  void aMissingUnknownOrOversizedPartAndABadFileAreRefused() {
    assertThatThrownBy(() -> parse(body(Map.of("creation.meta", CREATION_META)), 8))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("metadata.properties");
    Map<String, byte[]> third = new LinkedHashMap<>();
    third.put("creation.meta", CREATION_META);
    third.put("metadata.properties", PROPERTIES);
    third.put("columns.psf", new byte[10]);
    assertThatThrownBy(() -> parse(body(third), 8))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("columns.psf");
    Map<String, byte[]> big = new LinkedHashMap<>();
    big.put("creation.meta", CREATION_META);
    big.put("metadata.properties", new byte[CompletionConfig.DEFAULT_MAX_METADATA_BYTES]);
    assertThatThrownBy(() -> parse(body(big), 65536))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("over");
    Map<String, byte[]> noDocs = new LinkedHashMap<>();
    noDocs.put("creation.meta", CREATION_META);
    noDocs.put(
        "metadata.properties", "segment.total.docs = many\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> parse(body(noDocs), 8))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("segment.total.docs");
  }

  @Test
  void llcNamesAreValidSegmentIdsOfTheRealtimeTable() {
    LlcSegmentName name = LlcSegmentName.parse(SEGMENT);

    assertThat(name).isEqualTo(new LlcSegmentName("events", 0, 3, "20261206T1200Z"));
    assertThat(name.id())
        .isEqualTo(new SegmentId(TableNameWithType.parse("events_REALTIME"), SEGMENT));
    assertThat(name.previousPrefix()).isEqualTo("events__0__2__");
    assertThat(LlcSegmentName.parse("my.table-1__12__0__20261206T1200Z").table().toString())
        .isEqualTo("my.table-1_REALTIME");
    for (String bad :
        new String[] {
          "events_0", "events__x__3__t", "events__0__-1__t", "__0__3__t", "events__0__3__"
        }) {
      assertThatThrownBy(() -> LlcSegmentName.parse(bad))
          .as(bad)
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void offsetsCompareAsNumbersWhenTheyAreNumbers() {
    assertThat(StreamOffsets.compare("9", "10")).isNegative();
    assertThat(StreamOffsets.same("0100", "100")).isTrue();
    assertThat(StreamOffsets.compare("{\"shard\":\"b\"}", "{\"shard\":\"a\"}")).isPositive();
  }
}
