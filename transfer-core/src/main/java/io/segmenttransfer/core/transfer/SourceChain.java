package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.error.SourcesExhaustedException.Attempt;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The order in which a download tries its sources, and the retry budget of each: every deep-store
 * URI first (retried with backoff on transient failures), then peers in rounds, each round
 * re-reading the external view and trying every ONLINE peer once, with backoff between rounds.
 * Keeps the record of every failed attempt for the final error.
 */
final class SourceChain {

  /** One try of one source. */
  record Candidate(URI uri, SegmentStore store, boolean peer, int attempt) {}

  /** Where a "no peer" round is recorded: a peer lookup, not a download URL. */
  static final URI PEER_DISCOVERY = URI.create("peers:external-view");

  private final SegmentId segment;
  private final SegmentStores stores;
  private final PeerFinder peers;
  private final DownloadConfig config;
  private final Deque<URI> deepStore;
  private final Deque<URI> peerQueue = new ArrayDeque<>();
  private final List<Attempt> failures = new ArrayList<>();
  private final Map<URI, Long> bytesBySource = new LinkedHashMap<>();
  private Candidate retry;
  private Duration retryDelay = Duration.ZERO;
  private Duration peerRetryAfter = Duration.ZERO;
  private int peerRounds;
  private int attempts;

  /**
   * No deep-store URL at all: a missing peer may only mean the committer has not reported ONLINE
   * yet.
   */
  private final boolean peersOnly;

  private boolean peerSeen;

  /** When the first peer round started (scheduler clock, so virtual time works), or -1. */
  private long firstRoundMillis = -1;

  SourceChain(
      SegmentId segment,
      List<URI> deepStoreUris,
      SegmentStores stores,
      PeerFinder peers,
      DownloadConfig config) {
    this.segment = segment;
    this.stores = stores;
    this.peers = peers;
    this.config = config;
    this.deepStore = new ArrayDeque<>(deepStoreUris);
    this.peersOnly = deepStoreUris.isEmpty();
  }

  /**
   * The next source to try, after the backoff it is due; {@link SourcesExhaustedException} when
   * none is left.
   */
  Mono<Candidate> next() {
    return Mono.defer(
        () -> {
          synchronized (this) {
            if (retry != null) {
              Candidate again = retry;
              retry = null;
              return Mono.delay(retryDelay).thenReturn(counted(again));
            }
            if (!deepStore.isEmpty()) {
              URI uri = deepStore.poll();
              return Mono.just(counted(new Candidate(uri, stores.forUri(uri), false, 1)));
            }
            if (!peerQueue.isEmpty()) {
              URI uri = peerQueue.poll();
              return Mono.just(counted(new Candidate(uri, stores.forUri(uri), true, peerRounds)));
            }
            if (peers == PeerFinder.NONE
                || (peerRounds >= config.peerRetry().attempts() && !waitingForFirstPeer())) {
              return Mono.error(exhausted());
            }
            if (firstRoundMillis < 0) {
              firstRoundMillis = now();
            }
            peerRounds++;
            Duration wait = max(config.peerRetry().backoff(peerRounds), peerRetryAfter);
            peerRetryAfter = Duration.ZERO;
            int round = peerRounds;
            return Mono.delay(wait)
                .then(Mono.defer(() -> peers.findPeers(segment)))
                .map(found -> startRound(round, found, null))
                // A lookup that fails is a round without peers; the next round looks again.
                .onErrorResume(e -> Mono.just(startRound(round, List.of(), e)))
                .flatMap(started -> next());
          }
        });
  }

  /**
   * Whether a peers-only download goes on looking past its rounds: no peer was ever found and the
   * peer wait ({@link DownloadConfig#peerWaitTimeout()}) has not passed since the first round.
   */
  private boolean waitingForFirstPeer() {
    return peersOnly && !peerSeen && now() - firstRoundMillis < config.peerWaitTimeout().toMillis();
  }

  /**
   * The clock Mono.delay waits on, so the wait and the waits between rounds agree (and virtual time
   * applies).
   */
  private static long now() {
    return Schedulers.parallel().now(TimeUnit.MILLISECONDS);
  }

  private synchronized boolean startRound(int round, List<URI> found, Throwable lookupError) {
    if (!found.isEmpty()) {
      peerSeen = true;
    }
    if (found.isEmpty()) {
      Throwable cause =
          lookupError != null
              ? lookupError
              : new SourceNotFoundException(
                  PEER_DISCOVERY, "no ONLINE peer holds segment " + segment);
      failures.add(new Attempt(PEER_DISCOVERY, round, 0, cause));
    }
    peerQueue.addAll(found);
    return true;
  }

  private Candidate counted(Candidate candidate) {
    attempts++;
    return candidate;
  }

  /**
   * Records a failed attempt. A transient failure of a deep-store URI is retried (after the
   * backoff, or the source's Retry-After when longer) while its budget lasts; a peer is not retried
   * within a round, the next round re-reads the view instead.
   *
   * @param retryable whether the same source may be tried again (false for bad archive data)
   */
  synchronized void failed(Candidate candidate, long offset, Throwable cause, boolean retryable) {
    failures.add(new Attempt(candidate.uri(), candidate.attempt(), offset, cause));
    Duration retryAfter =
        cause instanceof SourceUnavailableException u
            ? u.retryAfter().orElse(Duration.ZERO)
            : Duration.ZERO;
    if (candidate.peer()) {
      peerRetryAfter = max(peerRetryAfter, retryAfter);
      return;
    }
    boolean transient_ =
        retryable
            && !(cause instanceof SourceNotFoundException)
            && !(cause instanceof SourceAccessDeniedException);
    if (transient_ && candidate.attempt() < config.deepStoreRetry().attempts()) {
      int nextAttempt = candidate.attempt() + 1;
      retry = new Candidate(candidate.uri(), candidate.store(), false, nextAttempt);
      retryDelay = config.deepStoreRetry().backoff(nextAttempt, cause);
    }
  }

  synchronized void received(URI source, long bytes) {
    bytesBySource.merge(source, bytes, Long::sum);
  }

  synchronized List<Attempt> failures() {
    return List.copyOf(failures);
  }

  synchronized Map<URI, Long> bytesBySource() {
    return Map.copyOf(bytesBySource);
  }

  synchronized int attempts() {
    return attempts;
  }

  synchronized SourcesExhaustedException exhausted() {
    return new SourcesExhaustedException(segment.segmentName(), failures);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
