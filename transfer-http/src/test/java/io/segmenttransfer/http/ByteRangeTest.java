package io.segmenttransfer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {

  @Test
  void readsTheThreeFormsOfOneRange() {
    assertThat(ByteRange.parse("bytes=100-")).contains(new ByteRange(100, ByteRange.TO_END));
    assertThat(ByteRange.parse("bytes=100-199")).contains(new ByteRange(100, 199));
    assertThat(ByteRange.parse("bytes=-50")).contains(new ByteRange(ByteRange.SUFFIX, 50));
    assertThat(ByteRange.parse("bytes=0-")).contains(new ByteRange(0, ByteRange.TO_END));
    assertThat(ByteRange.parse(" Bytes=7-9 ")).contains(new ByteRange(7, 9));
    assertThat(ByteRange.parse("bytes=5-5")).contains(new ByteRange(5, 5));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "items=0-",
        "bytes 0-",
        "bytes=a-",
        "bytes=1-b",
        "bytes=+5-",
        "bytes=-+5",
        "bytes=--5",
        "bytes=5--",
        "bytes=0-1,5-",
        "bytes=9-3",
        "bytes=1.5-",
        "bytes=99999999999999999999-",
        "bytes=0x10-"
      })
  void ignoresWhatItCannotHonour(String header) {
    assertThat(ByteRange.parse(header)).as(header).isEmpty();
  }

  @Test
  void noHeaderIsNoRange() {
    assertThat(ByteRange.parse(null)).isEmpty();
  }

  @Test
  void selectsTheBytesOfAnObject() {
    assertThat(slice("bytes=100-", 1000)).contains(new ByteRange.Slice(100, 999, 1000));
    assertThat(slice("bytes=100-199", 1000)).contains(new ByteRange.Slice(100, 199, 1000));
    assertThat(slice("bytes=900-5000", 1000)).contains(new ByteRange.Slice(900, 999, 1000));
    assertThat(slice("bytes=-50", 1000)).contains(new ByteRange.Slice(950, 999, 1000));
    assertThat(slice("bytes=-5000", 1000)).contains(new ByteRange.Slice(0, 999, 1000));
    assertThat(slice("bytes=999-", 1000)).contains(new ByteRange.Slice(999, 999, 1000));
    ByteRange.Slice slice = slice("bytes=10-19", 100).orElseThrow();
    assertThat(slice.length()).isEqualTo(10);
    assertThat(slice.contentRange()).isEqualTo("bytes 10-19/100");
  }

  @Test
  void aRangeThatMissesTheObjectIsUnsatisfiable() {
    assertThat(slice("bytes=1000-", 1000)).isEmpty();
    assertThat(slice("bytes=1000-2000", 1000)).isEmpty();
    assertThat(slice("bytes=-0", 1000)).isEmpty();
    assertThat(slice("bytes=0-", 0)).isEmpty();
    assertThat(slice("bytes=-10", 0)).isEmpty();
    assertThat(ByteRange.unsatisfiable(1000)).isEqualTo("bytes */1000");
  }

  @Test
  void onlyAnOpenRangeIsToTheEnd() {
    assertThat(ByteRange.parse("bytes=5-").orElseThrow().isToEnd()).isTrue();
    assertThat(ByteRange.parse("bytes=5-6").orElseThrow().isToEnd()).isFalse();
    assertThat(ByteRange.parse("bytes=-5").orElseThrow().isToEnd()).isFalse();
    assertThat(ByteRange.parse("bytes=5-").orElseThrow()).hasToString("bytes=5-");
    assertThat(ByteRange.parse("bytes=-5").orElseThrow()).hasToString("bytes=-5");
  }

  @Test
  void refusesImpossibleValues() {
    assertThatThrownBy(() -> new ByteRange(-2, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ByteRange(5, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ByteRange(ByteRange.SUFFIX, -1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ByteRange.Slice(0, 10, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Optional<ByteRange.Slice> slice(String header, long size) {
    return ByteRange.parse(header).orElseThrow().slice(size);
  }
}
