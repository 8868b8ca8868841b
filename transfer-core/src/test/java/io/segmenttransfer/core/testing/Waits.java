package io.segmenttransfer.core.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Awaitility with the project's defaults, for a state reached by work running elsewhere (a
 * scheduler, a server, another process): the condition is checked at once and then every 10 ms, for
 * at most 30 seconds unless {@code atMost} says otherwise; a timeout fails with the alias. Needs
 * {@code org.awaitility:awaitility} on the test class path. Prefer an event (a latch, a sink, a
 * StepVerifier) when the code under test offers one.
 */
public final class Waits {

  /** The bound of a wait unless the caller sets another. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Waits() {}

  /** A wait named {@code what}, for the timeout message. */
  public static ConditionFactory await(String what) {
    return Awaitility.await(what)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .atMost(TIMEOUT);
  }
}
