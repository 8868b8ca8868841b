package io.segmenttransfer.core.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.testing.HostileNames;
import org.junit.jupiter.api.Test;

class SafeNameTest {

  @Test
  void refusesEveryTraversalFormOnceDecoded() {
    for (String name : HostileNames.DECODED) {
      assertThat(SafeName.isSafe(name)).as("'%s'", name).isFalse();
      assertThatThrownBy(() -> SafeName.check("segment name", name))
          .as("'%s'", name)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("invalid segment name '");
    }
    assertThat(SafeName.isSafe(null)).isFalse();
    assertThat(SafeName.isSafe("x".repeat(256))).isFalse();
  }

  @Test
  void refusesPercentEscapesOfSeparatorsDotsControlsAndPercent() {
    for (String name : new String[] {"a%2Fb", "a%2fb", "a%5cb", "%2e", "x%25", "x%00", "x%1F"}) {
      assertThat(SafeName.isSafe(name)).as(name).isFalse();
    }
  }

  @Test
  void acceptsWhatPinotNamesHold() {
    for (String name :
        new String[] {
          "events_OFFLINE",
          "events__0__12__20240101T0000Z",
          "events 0+1%2B",
          "Server_127.0.0.1_8098",
          "a.b-c",
          "café",
          "x".repeat(255),
          "100%",
          "%zz"
        }) {
      assertThat(SafeName.check("name", name)).isEqualTo(name);
    }
  }

  @Test
  void namesTheValueWithControlCharactersShownEscaped() {
    assertThatThrownBy(() -> SafeName.check("path parameter segment", "a\nb"))
        .hasMessage(
            "invalid path parameter segment 'a\\u000ab': control characters are not allowed");
  }

  @Test
  void segmentAndTableNamesUseTheRule() {
    assertThatThrownBy(() -> SegmentId.of("events_OFFLINE", "a%2Fb"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("percent-encoded");
    assertThatThrownBy(() -> TableNameWithType.parse("..\0_OFFLINE"))
        .isInstanceOf(InvalidRequestException.class);
  }
}
