package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ColdStartReportTest {

  @Test
  void theSecondExtractionIsComparedWithTheMedianFromTheSixthOn() {
    // positions 6-10: 100, 110, 90, 200, 105 -> median 105; the 2nd took 126
    List<Long> millis = List.of(600L, 126L, 120L, 115L, 110L, 100L, 110L, 90L, 200L, 105L);
    assertThat(ColdStartReport.secondOverSteadyState(millis)).isEqualTo(1.2);
  }

  @Test
  void fewerThanSixExtractionsHaveNoSteadyState() {
    assertThat(ColdStartReport.secondOverSteadyState(List.of(600L, 126L, 120L, 115L, 110L)))
        .isNaN();
  }
}
