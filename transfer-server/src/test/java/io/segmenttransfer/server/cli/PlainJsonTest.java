package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one-shot commands' JSON, written without Jackson, is what Jackson's default mapper writes for
 * the same values, byte for byte: strings that need every kind of escape, numbers, maps, nulls.
 */
class PlainJsonTest {

  private static final ObjectMapper JACKSON = new ObjectMapper();

  /** Every escape Jackson makes, non-ASCII text it leaves alone, a path with a quote. */
  private static final String AWKWARD =
      "a \"quoted\" back\\slash\b\f\n\r\t\u0000\u0001\u001f / é 段 \uD83D\uDE00 \u007f";

  @Test
  void anExtractionSummaryIsWhatJacksonWrites() throws Exception {
    Map<String, Long> bySource = new LinkedHashMap<>();
    bySource.put("s3://bucket/" + AWKWARD, 63_300_925L);
    bySource.put("http://127.0.0.1:8080/segments/t/s", 0L);
    ExtractionSummary summary =
        new ExtractionSummary(
            "events_OFFLINE",
            AWKWARD,
            "/data/events_OFFLINE/" + AWKWARD,
            2_797_048_557L,
            4,
            125_425_451L,
            Long.MAX_VALUE,
            "gzip",
            true,
            7476,
            0,
            -1,
            16.8,
            Integer.MIN_VALUE,
            bySource,
            2);

    assertThat(PlainJson.of(summary)).isEqualTo(JACKSON.writeValueAsString(summary));
  }

  @Test
  void anOutcomeSummaryIsWhatJacksonWrites() throws Exception {
    OutcomeSummary summary =
        new OutcomeSummary("t_OFFLINE", "seg_0", "downloaded", 1L, 2L, 3L, 1, Map.of(), 0);

    assertThat(PlainJson.of(summary)).isEqualTo(JACKSON.writeValueAsString(summary));
  }

  enum Kind {
    FIRST,
    SECOND
  }

  record Inner(String name, Kind kind, List<Double> values) {}

  record Outer(
      String absent,
      Inner inner,
      List<Inner> inners,
      double nan,
      double infinite,
      float small,
      double tiny,
      double huge,
      short s,
      byte b,
      Map<Integer, Boolean> flags) {}

  @Test
  void nestedRecordsListsEnumsNullsAndEveryNumberAreWhatJacksonWrites() throws Exception {
    Inner inner = new Inner("x", Kind.SECOND, List.of(0.1, -0.0, 1e21, 123456.789));
    Map<Integer, Boolean> flags = new LinkedHashMap<>();
    flags.put(7, true);
    flags.put(-1, null);
    Outer outer =
        new Outer(
            null,
            inner,
            List.of(inner, new Inner(null, null, List.of())),
            Double.NaN,
            Double.NEGATIVE_INFINITY,
            1.25f,
            4.9e-324,
            1.7976931348623157e308,
            (short) -3,
            (byte) 9,
            flags);

    assertThat(PlainJson.of(outer)).isEqualTo(JACKSON.writeValueAsString(outer));
  }

  record Unsupported(Duration duration) {}

  @Test
  void aValueOfAnotherKindIsRefusedByName() {
    assertThatThrownBy(() -> PlainJson.of(new Unsupported(Duration.ofSeconds(1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("java.time.Duration");
  }
}
