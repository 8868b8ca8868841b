package io.segmenttransfer.s3;

import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Exponential backoff with jitter for transient S3 failures. Only retryable core errors are
 * retried ({@link SegmentTransferException#isRetryable()}); the error after the last attempt is
 * the last failure itself, not a wrapper. Delays run on {@code Mono.delay}, so tests can use
 * virtual time.
 */
final class RetryBackoff {

  /** Each delay is drawn from [delay * (1 - JITTER), delay], so parallel parts do not retry in lockstep. */
  static final double JITTER = 0.5;

  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;

  RetryBackoff(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    this.maxAttempts = maxAttempts;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  static RetryBackoff of(S3Config config) {
    return new RetryBackoff(config.maxAttempts(), config.retryBaseDelay(), config.retryMaxDelay());
  }

  /** A fresh spec per use: counts are per subscription of the retried publisher. */
  Retry spec() {
    return Retry.from(signals -> signals.concatMap(signal -> {
      Throwable failure = signal.failure();
      long retry = signal.totalRetries();
      if (!(failure instanceof SegmentTransferException e) || !e.isRetryable() || retry + 1 >= maxAttempts) {
        return Mono.error(failure);
      }
      return Mono.delay(delay(retry, failure));
    }));
  }

  /** The wait before retry number {@code retry} (0-based). */
  Duration delay(long retry, Throwable failure) {
    double exponential = baseDelay.toNanos() * Math.pow(2, retry);
    long capped = (long) Math.min(exponential, maxDelay.toNanos());
    long jittered = capped - (long) (capped * JITTER * ThreadLocalRandom.current().nextDouble());
    Duration delay = Duration.ofNanos(jittered);
    if (failure instanceof SourceUnavailableException unavailable && unavailable.retryAfter().isPresent()) {
      Duration asked = unavailable.retryAfter().get();
      return asked.compareTo(delay) > 0 ? asked : delay;
    }
    return delay;
  }

  int maxAttempts() {
    return maxAttempts;
  }
}
