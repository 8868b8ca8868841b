package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The HTTP store's side of transfer-http's one status mapping: a refused request is a source that
 * cannot serve (not retried; the downloader moves on), and Retry-After may be an HTTP date.
 */
class HttpStoreErrorsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static TestOrigin origin;
  private static HttpSegmentStore store;

  @BeforeAll
  static void start() {
    origin = new TestOrigin();
    store = HttpSegmentStore.create(HttpStoreConfig.defaults());
  }

  @AfterAll
  static void stop() {
    store.close();
    origin.close();
  }

  @Test
  void aBadRequestIsASourceThatCannotServeIt() {
    origin.put("/bad-request", new byte[10]);
    origin.fail("/bad-request", TestOrigin.Fault.status(400));

    StepVerifier.create(store.read(origin.uri("/bad-request"), 0))
        .expectErrorSatisfies(
            e -> {
              assertThat(e)
                  .isInstanceOf(SourceNotFoundException.class)
                  .hasMessageContaining("HTTP 400")
                  .hasCauseInstanceOf(InvalidRequestException.class);
              assertThat(((SourceNotFoundException) e).isRetryable()).isFalse();
            })
        .verify(TIMEOUT);
  }

  @Test
  void retryAfterAsAnHttpDateIsKept() {
    origin.put("/busy", new byte[10]);
    // Far enough ahead that no clock running this test has passed it.
    origin.fail(
        "/busy", TestOrigin.Fault.status(503, "Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT"));

    StepVerifier.create(store.read(origin.uri("/busy"), 0))
        .expectErrorSatisfies(
            e ->
                assertThat(((SourceUnavailableException) e).retryAfter())
                    .hasValueSatisfying(
                        wait -> assertThat(wait).isGreaterThan(Duration.ofDays(365))))
        .verify(TIMEOUT);
  }
}
