package io.segmenttransfer.core.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The one backoff: nominal waits, jitter bounds, the cap, Retry-After, and the in-place Retry in
 * virtual time.
 */
class RetryPolicyTest {

  private static final URI SOURCE = URI.create("s3://b/k");
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** 100, 200, then capped at 300 ms; waits spread by a half either way. */
  private final RetryPolicy policy =
      new RetryPolicy(4, Duration.ofMillis(100), 2, Duration.ofMillis(300), 0.5);

  @Test
  void theFirstTryDoesNotWait() {
    assertThat(policy.backoff(1)).isZero();
    assertThat(policy.backoff(1, 0.999)).isZero();
  }

  @Test
  void theExtremeDrawsAreTheJitterBoundsAroundTheNominalWait() {
    assertThat(policy.backoff(2, 0.0)).isEqualTo(Duration.ofMillis(50));
    assertThat(policy.backoff(2, 0.5)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(2, Math.nextDown(1.0))).isEqualTo(Duration.ofMillis(150));
    assertThat(policy.backoff(3, 0.0)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(3, Math.nextDown(1.0))).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void maxBackoffCapsTheWaitJitterIncluded() {
    // Nominal 400 ms capped to 300: the jitter may shorten it, never lengthen it past the cap.
    assertThat(policy.backoff(4, 0.0)).isEqualTo(Duration.ofMillis(150));
    assertThat(policy.backoff(4, 0.5)).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.backoff(4, Math.nextDown(1.0))).isEqualTo(Duration.ofMillis(300));
    assertThat(policy.backoff(Integer.MAX_VALUE, Math.nextDown(1.0)))
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void randomWaitsStayWithinTheBoundsAndSpreadBothWays() {
    int shorter = 0;
    int longer = 0;
    for (int i = 0; i < 2000; i++) {
      Duration wait = policy.backoff(2);
      assertThat(wait).isBetween(Duration.ofMillis(50), Duration.ofMillis(150));
      shorter += wait.compareTo(Duration.ofMillis(100)) < 0 ? 1 : 0;
      longer += wait.compareTo(Duration.ofMillis(100)) > 0 ? 1 : 0;
      assertThat(policy.backoff(6)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
    }
    assertThat(shorter).isGreaterThan(0);
    assertThat(longer).isGreaterThan(0);
  }

  @Test
  void withoutJitterTheWaitsAreExact() {
    RetryPolicy exact = new RetryPolicy(5, Duration.ofMillis(100), 5, Duration.ofSeconds(10), 0);
    assertThat(exact.backoff(2)).isEqualTo(Duration.ofMillis(100));
    assertThat(exact.backoff(3)).isEqualTo(Duration.ofMillis(500));
    assertThat(exact.backoff(4)).isEqualTo(Duration.ofMillis(2500));
    assertThat(exact.backoff(5)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aLongerRetryAfterWinsAndAShorterOneDoesNot() {
    assertThat(
            policy.backoff(
                2, new SourceUnavailableException(SOURCE, "503", null, Duration.ofSeconds(2))))
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(
            policy.backoff(
                2, new SourceUnavailableException(SOURCE, "503", null, Duration.ofMillis(1))))
        .isBetween(Duration.ofMillis(50), Duration.ofMillis(150));
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 1, Duration.ZERO, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(2), 1, Duration.ofSeconds(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, 0.5, Duration.ZERO, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, 1, Duration.ZERO, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retriesUpToTheAttemptsThenFailsWithTheLastError() {
    AtomicInteger tries = new AtomicInteger();
    StepVerifier.withVirtualTime(
            () ->
                Mono.defer(
                        () -> {
                          tries.incrementAndGet();
                          return Mono.<String>error(
                              new SourceUnavailableException(SOURCE, "try " + tries.get(), null));
                        })
                    .retryWhen(policy.retrySpec()))
        .expectSubscription()
        .thenAwait(Duration.ofSeconds(5))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("try 4"))
        .verify(TIMEOUT);
    assertThat(tries.get()).isEqualTo(4);
  }

  @Test
  void waitsAtLeastTheJitteredBackoffBeforeRetrying() {
    AtomicInteger tries = new AtomicInteger();
    StepVerifier.withVirtualTime(
            () ->
                Mono.defer(
                        () ->
                            tries.incrementAndGet() < 2
                                ? Mono.error(new SourceUnavailableException(SOURCE, "503", null))
                                : Mono.just("ok"))
                    .retryWhen(policy.retrySpec()))
        .expectSubscription()
        .thenAwait(Duration.ofMillis(49))
        .then(() -> assertThat(tries.get()).isEqualTo(1))
        .thenAwait(Duration.ofMillis(101))
        .expectNext("ok")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void honoursRetryAfterBeforeRetrying() {
    AtomicInteger tries = new AtomicInteger();
    StepVerifier.withVirtualTime(
            () ->
                Mono.defer(
                        () ->
                            tries.incrementAndGet() < 2
                                ? Mono.error(
                                    new SourceUnavailableException(
                                        SOURCE, "503", null, Duration.ofSeconds(1)))
                                : Mono.just("ok"))
                    .retryWhen(policy.retrySpec()))
        .expectSubscription()
        .thenAwait(Duration.ofMillis(999))
        .then(() -> assertThat(tries.get()).isEqualTo(1))
        .thenAwait(Duration.ofMillis(1))
        .expectNext("ok")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void doesNotRetryWhatCannotSucceed() {
    for (RuntimeException failure :
        new RuntimeException[] {
          new SourceNotFoundException(SOURCE, "404"),
          new InvalidArchiveException("s", "corrupt"),
          new IllegalStateException("a bug")
        }) {
      AtomicInteger tries = new AtomicInteger();
      StepVerifier.withVirtualTime(
              () ->
                  Mono.defer(
                          () -> {
                            tries.incrementAndGet();
                            return Mono.error(failure);
                          })
                      .retryWhen(policy.retrySpec()))
          .expectErrorSatisfies(e -> assertThat(e).isSameAs(failure))
          .verify(TIMEOUT);
      assertThat(tries.get()).as(failure.toString()).isEqualTo(1);
    }
  }

  @Test
  void oneSpecCountsEachSubscriptionOnItsOwn() {
    RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(10), 2, Duration.ofMillis(10), 0);
    reactor.util.retry.Retry shared = twice.retrySpec();
    for (int run = 0; run < 2; run++) {
      AtomicInteger tries = new AtomicInteger();
      StepVerifier.withVirtualTime(
              () ->
                  Mono.defer(
                          () -> {
                            tries.incrementAndGet();
                            return Mono.error(new SourceUnavailableException(SOURCE, "503", null));
                          })
                      .retryWhen(shared))
          .expectSubscription()
          .thenAwait(Duration.ofSeconds(1))
          .expectError(SourceUnavailableException.class)
          .verify(TIMEOUT);
      assertThat(tries.get()).isEqualTo(2);
    }
  }
}
