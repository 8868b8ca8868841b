package io.segmenttransfer.core.error;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A transient failure: connection reset, timeout, 5xx, 503 with Retry-After. Retrying (after the
 * suggested delay, when there is one) may succeed.
 */
public final class SourceUnavailableException extends SourceException {
  private final Duration retryAfter;

  public SourceUnavailableException(URI source, String message, Throwable cause) {
    this(source, message, cause, null);
  }

  public SourceUnavailableException(
      URI source, String message, Throwable cause, Duration retryAfter) {
    super(source, message, cause);
    this.retryAfter = retryAfter;
  }

  /** The delay the source asked for (HTTP Retry-After), if any. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
