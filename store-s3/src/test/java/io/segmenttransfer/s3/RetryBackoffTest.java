package io.segmenttransfer.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The backoff in virtual time: delays, jitter bounds, Retry-After, the attempt bound, non-retryable errors. */
class RetryBackoffTest {

  private static final URI SOURCE = URI.create("s3://b/k");
  private final RetryBackoff backoff = new RetryBackoff(4, Duration.ofMillis(100), Duration.ofMillis(300));

  @Test
  void delaysGrowExponentiallyWithinTheJitterAndAreCapped() {
    SourceUnavailableException e = new SourceUnavailableException(SOURCE, "503", null);
    for (int i = 0; i < 200; i++) {
      assertThat(backoff.delay(0, e)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
      assertThat(backoff.delay(1, e)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
      assertThat(backoff.delay(2, e)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
      assertThat(backoff.delay(40, e)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
    }
  }

  @Test
  void retryAfterWinsOverAShorterBackoff() {
    SourceUnavailableException e = new SourceUnavailableException(SOURCE, "503", null, Duration.ofSeconds(2));
    assertThat(backoff.delay(0, e)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void retriesUpToMaxAttemptsThenFailsWithTheLastError() {
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
              attempts.incrementAndGet();
              return Mono.<String>error(new SourceUnavailableException(SOURCE, "attempt " + attempts.get(), null));
            })
            .retryWhen(backoff.spec()))
        .expectSubscription()
        .thenAwait(Duration.ofSeconds(5))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SourceUnavailableException.class).hasMessageContaining("attempt 4"))
        .verify(Duration.ofSeconds(5));
    assertThat(attempts.get()).isEqualTo(4);
  }

  @Test
  void waitsBeforeRetrying() {
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> attempts.incrementAndGet() < 2
                ? Mono.error(new SourceUnavailableException(SOURCE, "503", null, Duration.ofSeconds(1)))
                : Mono.just("ok"))
            .retryWhen(backoff.spec()))
        .expectSubscription()
        .thenAwait(Duration.ofMillis(999))
        .then(() -> assertThat(attempts.get()).isEqualTo(1))
        .thenAwait(Duration.ofMillis(1))
        .expectNext("ok")
        .expectComplete()
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void doesNotRetryWhatCannotSucceed() {
    AtomicInteger attempts = new AtomicInteger();
    StepVerifier.withVirtualTime(() -> Mono.defer(() -> {
              attempts.incrementAndGet();
              return Mono.error(new SourceNotFoundException(SOURCE, "404"));
            })
            .retryWhen(backoff.spec()))
        .expectError(SourceNotFoundException.class)
        .verify(Duration.ofSeconds(5));
    assertThat(attempts.get()).isEqualTo(1);
  }
}
