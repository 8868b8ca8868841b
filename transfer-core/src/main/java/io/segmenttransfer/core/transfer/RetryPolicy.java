package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Bounded retries with exponential backoff and jitter: the project's one backoff. The download
 * source chain asks it for the wait before a source or a peer round ({@link #backoff(int)}); the S3
 * store retries requests and parts in place with {@link #retrySpec()}. Pinot's own defaults are the
 * floor (docs/protocol.md): deep store 3 attempts from 100 ms, factor 5; peer discovery 5 rounds
 * from 500 ms, factor 2.
 *
 * @param attempts tries in all, including the first
 * @param initialBackoff the wait before the second try
 * @param factor how much each wait grows
 * @param maxBackoff the longest single wait, jitter included (a source's {@code Retry-After} may
 *     still ask for longer)
 * @param jitter the fraction (0..1) by which a wait is randomly shortened or lengthened, so that
 *     servers that failed together do not retry together
 */
public record RetryPolicy(
    int attempts, Duration initialBackoff, double factor, Duration maxBackoff, double jitter) {

  public static final RetryPolicy DEFAULT_DEEP_STORE =
      new RetryPolicy(3, Duration.ofMillis(100), 5, Duration.ofSeconds(10), 0.2);
  public static final RetryPolicy DEFAULT_PEERS =
      new RetryPolicy(5, Duration.ofMillis(500), 2, Duration.ofSeconds(10), 0.2);

  /**
   * S3 requests and parts, retried in place by the store (the SDK's own retries are off). Four
   * attempts, as the AWS SDK's legacy retry mode; a 200 ms start, since S3 answers 503 SlowDown
   * when it wants clients to back off; and a wider jitter than the download's, because one read or
   * write has several parts in flight and a reset connection pool fails them together, and they
   * should not come back in lockstep.
   */
  public static final RetryPolicy DEFAULT_S3 =
      new RetryPolicy(4, Duration.ofMillis(200), 2, Duration.ofSeconds(10), 0.5);

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= initial <= max: " + initialBackoff + ", " + maxBackoff);
    }
    if (factor < 1) {
      throw new IllegalArgumentException("factor must be at least 1, was " + factor);
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be within 0..1, was " + jitter);
    }
  }

  /**
   * The wait before try number {@code attempt} (2 = first retry); zero for the first try. Drawn
   * from {@code nominal * (1 - jitter)} to {@code nominal * (1 + jitter)}, where the nominal wait
   * is {@code initialBackoff * factor^(attempt - 2)} capped at {@code maxBackoff}, and never above
   * {@code maxBackoff}.
   */
  public Duration backoff(int attempt) {
    return backoff(attempt, ThreadLocalRandom.current().nextDouble());
  }

  /**
   * The wait before try number {@code attempt} after {@code failure}: the backoff, or the source's
   * {@code Retry-After} when that is longer (a server that says when to come back knows better than
   * our guess).
   */
  public Duration backoff(int attempt, Throwable failure) {
    Duration wait = backoff(attempt);
    if (failure instanceof SourceUnavailableException unavailable
        && unavailable.retryAfter().isPresent()) {
      Duration asked = unavailable.retryAfter().get();
      return asked.compareTo(wait) > 0 ? asked : wait;
    }
    return wait;
  }

  /** {@link #backoff(int)} with the random draw given: {@code unit} in [0, 1). */
  Duration backoff(int attempt, double unit) {
    if (attempt <= 1) {
      return Duration.ZERO;
    }
    double max = maxBackoff.toNanos();
    double nominal = Math.min(initialBackoff.toNanos() * Math.pow(factor, attempt - 2), max);
    double spread = jitter * (2 * unit - 1);
    return Duration.ofNanos(Math.round(Math.min(max, Math.max(0, nominal * (1 + spread)))));
  }

  /**
   * A Reactor {@code Retry} that re-subscribes an operation in place (an S3 request, one part of a
   * read or an upload): only retryable failures ({@link SegmentTransferException#isRetryable()})
   * are retried, at most {@code attempts} tries in all, after {@link #backoff(int, Throwable)}; the
   * error after the last try is the last failure itself, not a wrapper. Waits run on {@code
   * Mono.delay}, so tests can use virtual time. Counts are per subscription of the retried
   * publisher, so one spec may be shared.
   */
  public Retry retrySpec() {
    return Retry.from(
        signals ->
            signals.concatMap(
                signal -> {
                  Throwable failure = signal.failure();
                  // totalRetries() is 0 when the first try failed: the next one is try number 2.
                  int next = (int) Math.min(Integer.MAX_VALUE, signal.totalRetries() + 2);
                  if (!(failure instanceof SegmentTransferException e)
                      || !e.isRetryable()
                      || next > attempts) {
                    return Mono.error(failure);
                  }
                  return Mono.delay(backoff(next, failure));
                }));
  }
}
