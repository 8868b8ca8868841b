package io.segmenttransfer.server.daemon;

import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Keeps the data directory equal to what the controller assigns this server: long-polls the
 * assignment (no busy loop), diffs it with what was last requested, and starts one operation per
 * change: new or refreshed (CRC changed) segments are added or replaced and reported ONLINE (or
 * ERROR), removed ones are deleted and dropped from the external view. Operations run
 * independently, so a refresh during the initial bootstrap does not wait for the whole bootstrap.
 */
final class AssignmentFollower {

  private static final Logger LOG = LoggerFactory.getLogger(AssignmentFollower.class);

  private final ControllerClient controller;
  private final SegmentDataDirectory directory;
  private final String instanceId;
  private final Duration longPoll;

  /** The CRC last requested per segment: what "no change" is judged against. */
  private final Map<SegmentId, Long> requested = new HashMap<>();

  /** The metadata last assigned per segment (its push time answers {@code isStale}). */
  private final Map<SegmentId, SegmentMetadata> assigned =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final Disposable.Composite running = Disposables.composite();

  /** Waits before retrying failed loads: not in-flight work, so shutdown does not wait for them. */
  private final Disposable.Composite retries = Disposables.composite();

  private final AtomicInteger inFlight = new AtomicInteger();
  private final Sinks.One<Void> bootstrapped = Sinks.one();
  private final AtomicLong version = new AtomicLong(-1);
  private final java.util.concurrent.atomic.AtomicBoolean firstApplied =
      new java.util.concurrent.atomic.AtomicBoolean();
  private Disposable polling;

  /** The first assignment's segments, and what their first load did: the "loaded N" line. */
  private final Set<SegmentId> firstBatch = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final AtomicInteger firstKept = new AtomicInteger();
  private final AtomicInteger firstDownloaded = new AtomicInteger();
  private final AtomicInteger firstFailed = new AtomicInteger();

  /** Says "controller unreachable" at most every 30 s, not on every retry. */
  private final ThrottledWarning unreachable =
      new ThrottledWarning(LOG, java.time.Clock.systemUTC(), Duration.ofSeconds(30));

  /** What loading the first assignment did. */
  record FirstLoad(int segments, int kept, int downloaded, int failed) {
    String describe() {
      return "loaded "
          + (kept + downloaded)
          + " segment"
          + (kept + downloaded == 1 ? "" : "s")
          + " ("
          + kept
          + " kept, "
          + downloaded
          + " downloaded"
          + (failed > 0 ? ", " + failed + " failed, retrying" : "")
          + ")";
    }
  }

  AssignmentFollower(
      ControllerClient controller,
      SegmentDataDirectory directory,
      String instanceId,
      Duration longPoll) {
    this.controller = controller;
    this.directory = directory;
    this.instanceId = instanceId;
    this.longPoll = longPoll;
  }

  /** Completes once every segment of the first assignment was loaded or failed. */
  Mono<Void> bootstrapped() {
    return bootstrapped.asMono();
  }

  /** Once {@link #bootstrapped()}: what the first assignment's load did. */
  FirstLoad firstLoad() {
    return new FirstLoad(
        firstBatch.size(), firstKept.get(), firstDownloaded.get(), firstFailed.get());
  }

  /** The first assignment's segments per table (empty before it arrived). */
  Map<io.segmenttransfer.core.segment.TableNameWithType, Integer> firstAssignmentByTable() {
    Map<io.segmenttransfer.core.segment.TableNameWithType, Integer> byTable = new HashMap<>();
    firstBatch.forEach(s -> byTable.merge(s.table(), 1, Integer::sum));
    return byTable;
  }

  void start() {
    polling =
        Mono.defer(() -> controller.assignment(instanceId, version.get(), longPoll))
            .doOnNext(this::apply)
            .doOnNext(answer -> unreachable.recovered("controller reachable again"))
            .repeat()
            .retryWhen(
                Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                    .maxBackoff(Duration.ofSeconds(5))
                    .doBeforeRetry(
                        signal ->
                            unreachable.warn(
                                "controller unreachable, retrying: "
                                    + signal.failure().getMessage())))
            .subscribe();
  }

  private void apply(Assignment assignment) {
    if (assignment.version() == version.get()) {
      return;
    }
    version.set(assignment.version());
    if (!firstApplied.get()) {
      // Before the loads are built: each one checks whether it belongs to the first batch.
      assignment.segments().forEach(m -> firstBatch.add(m.segment()));
    }
    List<Mono<Void>> work = new ArrayList<>();
    synchronized (requested) {
      Set<SegmentId> assigned = new HashSet<>();
      for (SegmentMetadata metadata : assignment.segments()) {
        assigned.add(metadata.segment());
        this.assigned.put(metadata.segment(), metadata);
        // A segment without a CRC cannot be loaded (addOrReplace refuses it): remember it as -1 so
        // it
        // fails once per change, not on every assignment.
        long crc = metadata.crcIfPresent().orElse(-1);
        if (!Long.valueOf(crc).equals(requested.get(metadata.segment()))) {
          requested.put(metadata.segment(), crc);
          work.add(load(metadata, crc));
        }
      }
      this.assigned.keySet().retainAll(assigned);
      for (SegmentId gone : new ArrayList<>(requested.keySet())) {
        if (!assigned.contains(gone)) {
          requested.remove(gone);
          work.add(unload(gone));
        }
      }
    }
    Mono<Void> all = Mono.when(work.stream().map(this::track).toList());
    if (firstApplied.compareAndSet(false, true)) {
      all.subscribe(null, e -> bootstrapped.tryEmitEmpty(), bootstrapped::tryEmitEmpty);
    }
  }

  /** Runs an operation on its own, counted, so shutdown can wait for it or cancel it. */
  private Mono<Void> track(Mono<Void> operation) {
    Sinks.Empty<Void> done = Sinks.empty();
    inFlight.incrementAndGet();
    Disposable.Swap handle = reactor.core.Disposables.swap();
    running.add(handle);
    handle.update(
        operation
            .doFinally(
                signal -> {
                  inFlight.decrementAndGet();
                  running.remove(handle);
                  done.tryEmitEmpty();
                })
            .subscribe(null, e -> LOG.warn("segment operation failed: {}", e.toString())));
    return done.asMono();
  }

  /**
   * Loads a segment and reports it ONLINE. A failure is reported ERROR and retried with capped
   * backoff while the segment is still assigned with this CRC (a deep store or peers may come
   * back); the returned Mono completes after the first attempt either way, so readiness does not
   * wait on a segment that cannot be had right now.
   */
  private Mono<Void> load(SegmentMetadata metadata, long crc) {
    return attempt(metadata, crc, 1);
  }

  private Mono<Void> attempt(SegmentMetadata metadata, long crc, int attempt) {
    boolean firstLoad = attempt == 1 && firstBatch.contains(metadata.segment());
    return directory
        .addOrReplace(metadata)
        .doOnNext(
            outcome -> {
              if (firstLoad) {
                (outcome.action() == io.segmenttransfer.core.local.SegmentOutcome.Action.KEPT
                            || outcome.action()
                                == io.segmenttransfer.core.local.SegmentOutcome.Action.RECOVERED
                        ? firstKept
                        : firstDownloaded)
                    .incrementAndGet();
              }
            })
        .flatMap(
            outcome -> controller.reportState(instanceId, metadata.segment(), SegmentState.ONLINE))
        .onErrorResume(
            error -> {
              if (firstLoad) {
                firstFailed.incrementAndGet();
              }
              Duration wait = retryDelay(attempt);
              LOG.warn(
                  "cannot load {} (attempt {}), retrying in {}: {}",
                  metadata.segment(),
                  attempt,
                  wait,
                  error.getMessage());
              Disposable.Swap slot = Disposables.swap();
              retries.add(slot);
              slot.update(
                  Mono.delay(wait)
                      .filter(tick -> stillWanted(metadata.segment(), crc))
                      .flatMap(tick -> track(attempt(metadata, crc, attempt + 1)))
                      .doFinally(signal -> retries.remove(slot))
                      .subscribe());
              return controller
                  .reportState(instanceId, metadata.segment(), SegmentState.ERROR)
                  .onErrorResume(e -> Mono.empty());
            });
  }

  /** 1 s, 2 s, 4 s ... up to 60 s. */
  static Duration retryDelay(int attempt) {
    return Duration.ofSeconds(Math.min(60, 1L << Math.min(attempt - 1, 6)));
  }

  private boolean stillWanted(SegmentId segment, long crc) {
    synchronized (requested) {
      return Long.valueOf(crc).equals(requested.get(segment));
    }
  }

  private Mono<Void> unload(SegmentId segment) {
    return directory
        .remove(segment)
        .then(controller.dropState(instanceId, segment))
        .onErrorResume(
            error -> {
              LOG.warn("cannot remove {}: {}", segment, error.getMessage());
              return Mono.empty();
            });
  }

  /** Segments this server was asked to hold, last seen. */
  Set<SegmentId> held() {
    synchronized (requested) {
      return Set.copyOf(requested.keySet());
    }
  }

  /** The metadata of an assigned segment, as last assigned. */
  java.util.Optional<SegmentMetadata> assigned(SegmentId segment) {
    return java.util.Optional.ofNullable(assigned.get(segment));
  }

  int inFlight() {
    return inFlight.get();
  }

  /** Stops following the controller; operations already running go on. */
  void stopPolling() {
    if (polling != null) {
      polling.dispose();
    }
    retries.dispose();
  }

  /**
   * Cancels every operation still running (their staging directories are removed by the pipeline).
   */
  void cancelAll() {
    running.dispose();
  }
}
