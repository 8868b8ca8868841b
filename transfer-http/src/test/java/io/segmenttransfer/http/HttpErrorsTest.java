package io.segmenttransfer.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpErrorsTest {

  private static final URI URI_ = URI.create("http://peer:8097/segments/t_OFFLINE/s");
  private static final HttpHeaders NONE = new DefaultHttpHeaders();

  @Test
  void successIsNoError() {
    assertThat(HttpErrors.forStatus(URI_, 200, NONE, null)).isNull();
    assertThat(HttpErrors.forStatus(URI_, 206, NONE)).isNull();
  }

  @Test
  void mapsEachKindOfAnswer() {
    assertThat(HttpErrors.forStatus(URI_, 404, NONE, null))
        .isInstanceOf(SourceNotFoundException.class);
    assertThat(HttpErrors.forStatus(URI_, 410, NONE, null))
        .isInstanceOf(SourceNotFoundException.class);
    assertThat(HttpErrors.forStatus(URI_, 401, NONE, null))
        .isInstanceOf(SourceAccessDeniedException.class);
    assertThat(HttpErrors.forStatus(URI_, 403, NONE, null))
        .isInstanceOf(SourceAccessDeniedException.class);
    assertThat(HttpErrors.forStatus(URI_, 412, NONE, null))
        .isInstanceOf(SourceChangedException.class);
    assertThat(HttpErrors.forStatus(URI_, 416, NONE, null))
        .isInstanceOf(SourceChangedException.class);
    for (int status : new int[] {408, 429, 500, 502, 503, 504}) {
      SegmentTransferException error = HttpErrors.forStatus(URI_, status, NONE, null);
      assertThat(error).as("%d", status).isInstanceOf(SourceUnavailableException.class);
      assertThat(error.isRetryable()).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 405, 409, 413, 422, 301, 302, 304})
  void aRefusedRequestIsInvalidAndNotRetried(int status) {
    SegmentTransferException error =
        HttpErrors.forStatus(URI_, status, NONE, "Table t already exists");
    assertThat(error)
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(URI_.toString())
        .hasMessageContaining("HTTP " + status)
        .hasMessageContaining("Table t already exists");
    assertThat(error.isRetryable()).isFalse();
  }

  @Test
  void storesSeeARefusedRequestAsASourceThatCannotServe() {
    SourceException error = HttpErrors.forStatus(URI_, 400, NONE);
    assertThat(error)
        .isInstanceOf(SourceNotFoundException.class)
        .hasCauseInstanceOf(InvalidRequestException.class);
    assertThat(error.source()).isEqualTo(URI_);
    assertThat(error.isRetryable()).isFalse();
    assertThat(HttpErrors.forStatus(URI_, 503, NONE))
        .isInstanceOf(SourceUnavailableException.class);
  }

  @Test
  void keepsTheServersExplanation() {
    assertThat(HttpErrors.forStatus(URI_, 404, NONE, "Table t_OFFLINE does not exist"))
        .hasMessageContaining("HTTP 404: Table t_OFFLINE does not exist");
    assertThat(HttpErrors.forStatus(URI_, 404, NONE, null))
        .hasMessageContaining("HTTP 404: no such object");
  }

  @Test
  void retryAfterInSecondsOrAsAnHttpDate() {
    HttpHeaders seconds = new DefaultHttpHeaders().add("Retry-After", "7");
    assertThat(
            ((SourceUnavailableException) HttpErrors.forStatus(URI_, 503, seconds, null))
                .retryAfter())
        .contains(Duration.ofSeconds(7));
    // Far enough ahead that no clock running this test has passed it.
    HttpHeaders date = new DefaultHttpHeaders().add("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT");
    assertThat(
            ((SourceUnavailableException) HttpErrors.forStatus(URI_, 429, date, null)).retryAfter())
        .hasValueSatisfying(wait -> assertThat(wait).isGreaterThan(Duration.ofDays(365)));
    HttpHeaders unreadable = new DefaultHttpHeaders().add("Retry-After", "soon");
    assertThat(
            ((SourceUnavailableException) HttpErrors.forStatus(URI_, 503, unreadable, null))
                .retryAfter())
        .isEmpty();
  }

  @Test
  void explainsAnErrorBody() {
    assertThat(ErrorBody.explain("{\"code\":404,\"error\":\"Table t does not exist\"}"))
        .isEqualTo("Table t does not exist");
    assertThat(ErrorBody.explain("<html>bad gateway</html>\n"))
        .isEqualTo("<html>bad gateway</html>");
    assertThat(ErrorBody.explain("x".repeat(1000))).hasSize(ErrorBody.MAX_QUOTED + 3);
    assertThat(ErrorBody.explain("")).isNull();
    assertThat(ErrorBody.explain("{\"code\":500}")).isEqualTo("{\"code\":500}");
  }
}
