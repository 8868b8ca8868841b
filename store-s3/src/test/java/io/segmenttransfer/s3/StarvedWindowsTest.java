package io.segmenttransfer.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StarvedWindowsTest {

  /** The windows (S starved, F fed) after which the read widens, counted from 1. */
  private static List<Integer> wideningsAfter(String windows) {
    StarvedWindows recent = new StarvedWindows();
    List<Integer> widenings = new ArrayList<>();
    for (int i = 0; i < windows.length(); i++) {
      if (recent.widenAfter(windows.charAt(i) == 'S')) {
        widenings.add(i + 1);
      }
    }
    return widenings;
  }

  @Test
  void twoStarvedWindowsInARowWiden() {
    assertThat(wideningsAfter("FFSS")).containsExactly(4);
  }

  @Test
  void starvedAndFedInTurnWidenToo() {
    // A source equally slow for every part, one window per part: the head starves its window, the
    // part beside it has come whole and feeds the next.
    assertThat(wideningsAfter("SFSFSFSF")).containsExactly(3, 7);
  }

  @Test
  void aStarvedWindowAmongFedOnesIsAHiccup() {
    assertThat(wideningsAfter("SFFSFFFSFF")).isEmpty();
  }

  @Test
  void eachWideningTakesItsOwnStarvedWindows() {
    assertThat(wideningsAfter("SSSSSS")).containsExactly(2, 4, 6);
    assertThat(wideningsAfter("SSFS")).containsExactly(2);
  }
}
