package io.segmenttransfer.server.daemon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.SegmentCrypter;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.stream.TransformedStream;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * Uploads committed segments to the deep store in the background, best effort, so a commit is
 * answered as soon as the controller decided it: at most {@code concurrency} uploads run at once
 * (the others queue without holding a thread), each archive is built in one streaming pass from the
 * data directory under the segment's read lock (no archive file), encrypted with the table's
 * crypter when it names one, retried with backoff, and then recorded with the controller ({@code
 * PUT .../downloadUrl}). An upload that still fails is given up: the URL stays {@code ""}, peers
 * serve the segment and the controller's repair task uploads it later.
 *
 * <p>Metrics: {@code segment_commit_uploads_pending} (queued or running), {@code
 * segment_commit_uploads_failed} and {@code segment_commit_uploads_succeeded}.
 */
final class AsyncDeepStoreUploader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AsyncDeepStoreUploader.class);

  /**
   * One upload to do: the segment, where it goes, and the crypter to encrypt it with (null for
   * none).
   */
  record Job(SegmentId segment, URI target, @Nullable String crypter) {}

  private final SegmentDataDirectory directory;
  private final SegmentStores stores;
  private final CrypterRegistry crypters;
  private final ControllerClient controller;
  private final RetryPolicy retry;
  private final Scheduler scheduler;
  private final AtomicInteger pending = new AtomicInteger();
  private final Counter failed;
  private final Counter succeeded;
  private final Sinks.Many<Job> queue = Sinks.many().unicast().onBackpressureBuffer();
  private final Disposable running;

  AsyncDeepStoreUploader(
      SegmentDataDirectory directory,
      SegmentStores stores,
      CrypterRegistry crypters,
      ControllerClient controller,
      int concurrency,
      RetryPolicy retry,
      Scheduler scheduler,
      MeterRegistry metrics) {
    this.directory = directory;
    this.stores = stores;
    this.crypters = crypters;
    this.controller = controller;
    this.retry = retry;
    this.scheduler = scheduler;
    metrics.gauge("segment_commit_uploads_pending", pending);
    this.failed =
        Counter.builder("segment_commit_uploads_failed")
            .description(
                "Deep-store uploads after a commit given up (left to peers and the repair task)")
            .register(metrics);
    this.succeeded =
        Counter.builder("segment_commit_uploads_succeeded")
            .description("Deep-store uploads after a commit done and recorded")
            .register(metrics);
    this.running =
        queue
            .asFlux()
            .flatMap(
                job ->
                    upload(job)
                        .doOnSuccess(done -> succeeded.increment())
                        .onErrorResume(
                            error -> {
                              failed.increment();
                              LOG.warn(
                                  "giving up the deep-store upload of {} to {}: peers serve it until the controller repairs it: {}",
                                  job.segment(),
                                  job.target(),
                                  error.toString());
                              return Mono.empty();
                            })
                        .doFinally(signal -> pending.decrementAndGet()),
                concurrency)
            .subscribe();
  }

  /**
   * Queues an upload; returns at once. After {@link #close()} the job is dropped (the repair task
   * covers it).
   */
  void submit(Job job) {
    pending.incrementAndGet();
    Sinks.EmitResult emitted;
    // Commits end on many threads; a sink takes one emitter at a time.
    synchronized (queue) {
      emitted = queue.tryEmitNext(job);
    }
    if (emitted.isFailure()) {
      pending.decrementAndGet();
      LOG.info("not uploading {}: the server is stopping", job.segment());
    }
  }

  int pending() {
    return pending.get();
  }

  double failed() {
    return failed.count();
  }

  /**
   * One upload with its retries, then the URL recorded (retried too); completes when both are done.
   */
  Mono<Void> upload(Job job) {
    Mono<Long> write =
        Mono.defer(
            () -> {
              // Resolved per try: an unknown crypter fails before any byte is written.
              SegmentCrypter crypter = crypters.resolve(job.crypter(), job.segment().segmentName());
              return directory
                  .withSegment(
                      job.segment(),
                      local ->
                          stores
                              .forUri(job.target())
                              .write(
                                  job.target(),
                                  TransformedStream.apply(
                                      local.archive(Codec.GZIP, scheduler),
                                      () -> crypter.newEncryptor(job.segment().segmentName())))
                              .thenReturn(local.crc()))
                  .singleOrEmpty()
                  .switchIfEmpty(
                      Mono.error(
                          () ->
                              new EntityNotFoundException(
                                  job.segment().segmentName(),
                                  "segment "
                                      + job.segment()
                                      + " is no longer held here: nothing to upload")));
            });
    return write
        .retryWhen(retries())
        .flatMap(
            crc ->
                Mono.defer(
                        () ->
                            controller.putDownloadUrl(job.segment(), job.target().toString(), crc))
                    .retryWhen(retries()))
        .doOnSuccess(done -> LOG.info("uploaded {} to {}", job.segment(), job.target()));
  }

  /**
   * Every failure but a segment gone is retried: a deep store that refuses writes may be repaired
   * by an operator within the budget, and giving up costs only the repair task's later work.
   */
  private Retry retries() {
    return Retry.from(
        signals ->
            signals.concatMap(
                signal -> {
                  int next = (int) Math.min(Integer.MAX_VALUE, signal.totalRetries() + 2);
                  if (signal.failure() instanceof EntityNotFoundException
                      || next > retry.attempts()) {
                    return Mono.error(signal.failure());
                  }
                  LOG.debug(
                      "upload try {} failed, retrying: {}", next - 1, signal.failure().toString());
                  return Mono.delay(retry.backoff(next, signal.failure()), scheduler);
                }));
  }

  /**
   * Stops taking uploads and cancels those running (a stopped server's segments are repaired
   * later).
   */
  @Override
  public void close() {
    queue.tryEmitComplete();
    running.dispose();
  }
}
