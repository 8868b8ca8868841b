package io.segmenttransfer.server.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * A warning that repeats while a condition lasts (a controller that does not answer), logged at
 * most once per interval with how many times it happened since: a retry every few seconds must not
 * fill the log. Thread-safe and non-blocking.
 */
final class ThrottledWarning {

  private final Logger log;
  private final Clock clock;
  private final Duration every;
  private final AtomicReference<Instant> lastLogged = new AtomicReference<>();
  private final AtomicInteger suppressed = new AtomicInteger();

  ThrottledWarning(Logger log, Clock clock, Duration every) {
    this.log = log;
    this.clock = clock;
    this.every = every;
  }

  /** Logs {@code message} unless it was logged less than the interval ago. */
  void warn(String message) {
    Instant now = clock.instant();
    Instant last = lastLogged.get();
    if (last != null && Duration.between(last, now).compareTo(every) < 0) {
      suppressed.incrementAndGet();
      return;
    }
    if (lastLogged.compareAndSet(last, now)) {
      int since = suppressed.getAndSet(0);
      log.warn(
          "{}{}", message, since == 0 ? "" : " (" + since + " more times since the last warning)");
    } else {
      suppressed.incrementAndGet();
    }
  }

  /** The condition ended: says so once if it was warned about, and starts afresh. */
  void recovered(String message) {
    if (lastLogged.getAndSet(null) != null) {
      suppressed.set(0);
      log.warn(message);
    }
  }

  /** Whether the condition is being warned about (it began and has not recovered). */
  boolean active() {
    return lastLogged.get() != null;
  }
}
