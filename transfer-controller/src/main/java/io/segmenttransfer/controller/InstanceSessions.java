package io.segmenttransfer.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which instances are live, from their requests: an instance is live while one of its assignment
 * long polls is open, and for {@code timeout} after its last request (registration, long poll,
 * state report). A server that follows its assignment always has a poll open or re-polls within its
 * backoff (at most a few seconds), so a live server never lapses; one that stopped or crashed
 * lapses {@code timeout} after its last request. In memory only: after a controller restart every
 * instance starts without a session and gets one with its next request.
 */
final class InstanceSessions {

  /** What is known about an instance's session. */
  record Session(int openPolls, Instant lastContact) {}

  private final Clock clock;
  private final Duration timeout;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  InstanceSessions(Clock clock, Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
  }

  Duration timeout() {
    return timeout;
  }

  /** A request from the instance. */
  void touch(String id) {
    Instant now = clock.instant();
    sessions.compute(id, (k, old) -> new Session(old == null ? 0 : old.openPolls(), now));
  }

  void pollStarted(String id) {
    Instant now = clock.instant();
    sessions.compute(id, (k, old) -> new Session(old == null ? 1 : old.openPolls() + 1, now));
  }

  /**
   * A poll ended. Only an existing session is updated: a poll closing after the instance ended its
   * session (a server that stops closes its poll as it says goodbye) must not revive it.
   */
  void pollEnded(String id) {
    Instant now = clock.instant();
    sessions.computeIfPresent(id, (k, old) -> new Session(Math.max(0, old.openPolls() - 1), now));
  }

  /** The instance's session while it is live; empty once it lapsed or never began. */
  Optional<Session> live(String id) {
    Session session = sessions.get(id);
    if (session == null) {
      return Optional.empty();
    }
    boolean live =
        session.openPolls() > 0
            || Duration.between(session.lastContact(), clock.instant()).compareTo(timeout) < 0;
    return live ? Optional.of(session) : Optional.empty();
  }

  /**
   * The instance left (dropped) or said it stops: a new registration under its id starts afresh.
   */
  void forget(String id) {
    sessions.remove(id);
  }
}
