package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.DescribedReads;
import io.segmenttransfer.core.store.ObjectInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One archive byte stream stitched from as many source attempts as it takes. When a source fails
 * after N bytes went downstream, the next attempt reads from byte N of a source that serves the
 * same bytes (same size and version), so the decompressor and tar decoder just continue. When the
 * next source serves other bytes (a peer's archive after the deep store's), it fails with {@link
 * RestartRequired} and the downloader starts the extraction over from byte 0 of that source.
 */
final class ResumableRead {

  /** The next source cannot continue this byte stream: extraction must restart from its byte 0. */
  static final class RestartRequired extends RuntimeException {
    private final SourceChain.Candidate candidate;

    RestartRequired(SourceChain.Candidate candidate) {
      super(
          "source " + candidate.uri() + " serves different bytes: restart from byte 0",
          null,
          false,
          false);
      this.candidate = candidate;
    }

    SourceChain.Candidate candidate() {
      return candidate;
    }
  }

  private final SegmentId segment;
  private final SourceChain chain;
  private final DownloadConfig config;
  private final TransferListener listener;
  private final SourceChain.Candidate first;
  private final AtomicLong consumed = new AtomicLong();
  private volatile ObjectInfo pinned;
  private volatile SourceChain.Candidate current;

  ResumableRead(
      SegmentId segment,
      SourceChain chain,
      DownloadConfig config,
      TransferListener listener,
      SourceChain.Candidate first) {
    this.segment = segment;
    this.chain = chain;
    this.config = config;
    this.listener = listener;
    this.first = first;
  }

  /**
   * The archive's bytes. Completes after the last byte of the source that finished it; errors with
   * {@code SourcesExhaustedException} when every source failed, or {@link RestartRequired}.
   */
  Flux<ByteBuffer> bytes() {
    return attempt(first);
  }

  long consumed() {
    return consumed.get();
  }

  SourceChain.Candidate current() {
    return current;
  }

  private Flux<ByteBuffer> attempt(SourceChain.Candidate preset) {
    Mono<SourceChain.Candidate> next = preset != null ? Mono.just(preset) : chain.next();
    return next.flatMapMany(this::readFrom)
        .onErrorResume(
            ResumableRead::isSourceFailure,
            error -> {
              SourceChain.Candidate failed = current;
              long offset = consumed.get();
              chain.failed(failed, offset, error, true);
              listener.on(
                  new TransferEvent.AttemptFailed(
                      segment, failed.uri(), failed.attempt(), offset, error));
              return attempt(null);
            });
  }

  private Flux<ByteBuffer> readFrom(SourceChain.Candidate candidate) {
    current = candidate;
    long offset = consumed.get();
    listener.on(
        new TransferEvent.AttemptStarted(segment, candidate.uri(), candidate.attempt(), offset));
    if (offset == 0 && candidate.store() instanceof DescribedReads described) {
      // The first response tells size and version: no version check before it.
      AtomicReference<ObjectInfo> info = new AtomicReference<>();
      return counted(
          candidate,
          described.readDescribed(
              candidate.uri(),
              told -> {
                pinned = told;
                info.set(told);
              }),
          () -> info.get().size());
    }
    // The version check is the attempt's first round trip: it gets the first-byte timeout too.
    Mono<ObjectInfo> stat =
        candidate
            .store()
            .stat(candidate.uri())
            .timeout(config.firstByteTimeout())
            .onErrorMap(
                TimeoutException.class,
                e ->
                    new SourceUnavailableException(
                        candidate.uri(),
                        "no answer to the version check within " + config.firstByteTimeout(),
                        e));
    return stat.flatMapMany(
        info -> {
          if (offset > 0 && !sameBytes(info, pinned)) {
            return Flux.error(new RestartRequired(candidate));
          }
          if (offset == 0) {
            pinned = info;
          }
          return counted(
              candidate,
              candidate.store().read(candidate.uri(), offset, info.version()),
              info::size);
        });
  }

  /**
   * The source's bytes with the first-byte and idle timeouts, counted into {@link #consumed} and
   * reported as progress against {@code size} (asked for after the first buffer arrived).
   */
  private Flux<ByteBuffer> counted(
      SourceChain.Candidate candidate, Flux<ByteBuffer> bytes, LongSupplier size) {
    // Silence only counts while the pipeline is asking for bytes: a slow disk holding back
    // demand must not look like a dead source.
    DemandClock clock = new DemandClock();
    AtomicBoolean timedOut = new AtomicBoolean();
    return bytes
        .takeUntilOther(silence(clock).doOnNext(tick -> timedOut.set(true)))
        .concatWith(
            Mono.defer(
                () ->
                    timedOut.get()
                        ? Mono.error(
                            new SourceUnavailableException(
                                candidate.uri(),
                                "no bytes within the first-byte or idle timeout",
                                new TimeoutException()))
                        : Mono.empty()))
        .doOnRequest(clock::requested)
        .doOnNext(
            chunk -> {
              clock.received();
              int n = chunk.remaining();
              long done = consumed.addAndGet(n);
              chain.received(candidate.uri(), n);
              listener.on(
                  new TransferEvent.Progress(segment, candidate.uri(), done, size.getAsLong()));
            });
  }

  /**
   * Emits once the source has been silent while bytes were wanted for longer than allowed: the
   * first-byte timeout until its first chunk, the idle timeout after. One timer at a time for the
   * whole read: it sleeps for what is left of the allowance, then looks again. (A timeout per
   * chunk, {@code Flux.timeout} with an item companion, scheduled and cancelled a timer for each of
   * a segment's ~500 chunks: profiled at ~25 ms of a cold HTTP download's event-loop CPU.)
   */
  private Mono<Long> silence(DemandClock clock) {
    long firstByte = config.firstByteTimeout().toNanos();
    long idle = config.idleTimeout().toNanos();
    return Mono.defer(
            () -> {
              long allowance = clock.heard() ? idle : firstByte;
              return Mono.delay(
                  Duration.ofNanos(Math.max(1_000_000, allowance - clock.silentNanos())));
            })
        .filter(tick -> clock.silentNanos() >= (clock.heard() ? idle : firstByte))
        .repeatWhenEmpty(Integer.MAX_VALUE, checks -> checks);
  }

  /**
   * Same version, and same size where both know it (a peer building its archive on the fly reports
   * -1).
   */
  private static boolean sameBytes(ObjectInfo a, ObjectInfo b) {
    return b != null
        && a.version().equals(b.version())
        && (a.size() < 0 || b.size() < 0 || a.size() == b.size());
  }

  /** Failures of a source (not of our own pipeline) that another attempt may overcome. */
  static boolean isSourceFailure(Throwable error) {
    if (error instanceof SourceException) {
      return true;
    }
    if (error instanceof SegmentTransferException || error instanceof RestartRequired) {
      return false;
    }
    return error instanceof IOException
        || error instanceof TimeoutException
        || error.getCause() instanceof IOException;
  }
}
