package io.segmenttransfer.core.transfer;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries with exponential backoff and jitter. Pinot's own defaults are the floor
 * (PROTOCOL.md): deep store 3 attempts from 100 ms, factor 5; peer discovery 5 rounds from 500 ms,
 * factor 2.
 *
 * @param attempts tries in all, including the first
 * @param initialBackoff the wait before the second try
 * @param factor how much each wait grows
 * @param maxBackoff the longest single wait
 * @param jitter the fraction (0..1) by which a wait is randomly shortened or lengthened, so that
 *     servers that failed together do not retry together
 */
public record RetryPolicy(int attempts, Duration initialBackoff, double factor, Duration maxBackoff, double jitter) {

  public static final RetryPolicy DEFAULT_DEEP_STORE = new RetryPolicy(3, Duration.ofMillis(100), 5, Duration.ofSeconds(10), 0.2);
  public static final RetryPolicy DEFAULT_PEERS = new RetryPolicy(5, Duration.ofMillis(500), 2, Duration.ofSeconds(10), 0.2);

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max: " + initialBackoff + ", " + maxBackoff);
    }
    if (factor < 1) {
      throw new IllegalArgumentException("factor must be at least 1, was " + factor);
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be within 0..1, was " + jitter);
    }
  }

  /** The wait before try number {@code attempt} (2 = first retry); zero for the first try. */
  public Duration backoff(int attempt) {
    if (attempt <= 1) {
      return Duration.ZERO;
    }
    double base = initialBackoff.toMillis() * Math.pow(factor, attempt - 2);
    double capped = Math.min(base, maxBackoff.toMillis());
    double spread = jitter == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter);
    return Duration.ofMillis(Math.max(0, Math.round(capped * (1 + spread))));
  }
}
