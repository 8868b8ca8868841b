package io.segmenttransfer.core.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegmentPathsTest {

  @Test
  void aStagingNameIsThePrefixAnd128RandomBitsInHex() {
    assertThat(SegmentPaths.stagingName("events_0_9_0")).matches("events_0_9_0-[0-9a-f]{32}");
    assertThat(SegmentPaths.stagingName("s-reload")).matches("s-reload-[0-9a-f]{32}");
  }

  @Test
  void stagingNamesDoNotRepeat() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      names.add(SegmentPaths.stagingName("segment"));
    }
    assertThat(names).hasSize(10_000);
  }
}
