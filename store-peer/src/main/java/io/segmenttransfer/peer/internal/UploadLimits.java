package io.segmenttransfer.peer.internal;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server-wide limits on peer uploads: a count of responses in progress (a non-blocking
 * try-acquire: over the limit the caller answers 503) and an optional byte rate (a token bucket
 * that answers how long to delay the next chunk: no thread ever sleeps).
 */
public final class UploadLimits {

  private final int maxConcurrent;
  private final AtomicInteger active = new AtomicInteger();
  private final long bytesPerSecond;

  /** Fractional, so that frequent small refills add up exactly. */
  private double tokens;

  private long lastRefillNanos;

  public UploadLimits(int maxConcurrent, OptionalLong bytesPerSecond) {
    this.maxConcurrent = maxConcurrent;
    this.bytesPerSecond = bytesPerSecond.orElse(0);
    this.tokens = this.bytesPerSecond;
    this.lastRefillNanos = System.nanoTime();
  }

  /**
   * Takes an upload slot; false when all are taken. Every true must be paired with {@link
   * #release()}.
   */
  public boolean tryAcquire() {
    while (true) {
      int now = active.get();
      if (now >= maxConcurrent) {
        return false;
      }
      if (active.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  public void release() {
    active.decrementAndGet();
  }

  public int active() {
    return active.get();
  }

  public boolean rateLimited() {
    return bytesPerSecond > 0;
  }

  /**
   * Reserves {@code bytes} from the bucket and returns how long to wait before sending them (zero
   * when the bucket had them). Reservations queue up, so concurrent uploads share the rate. The
   * bucket holds at most one second of tokens, which bounds bursts.
   */
  public synchronized Duration reserve(long bytes) {
    if (bytesPerSecond <= 0) {
      return Duration.ZERO;
    }
    long now = System.nanoTime();
    long elapsed = now - lastRefillNanos;
    lastRefillNanos = now;
    tokens = Math.min(bytesPerSecond, tokens + elapsed / 1e9 * bytesPerSecond);
    tokens -= bytes;
    if (tokens >= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) (-tokens * 1e9 / bytesPerSecond));
  }
}
