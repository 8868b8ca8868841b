package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.SegmentCrypter;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.stream.ByteTransform;
import io.segmenttransfer.core.stream.PassThroughTransform;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Turns a stream of archive bytes into a verified segment directory, in one pass:
 *
 * <pre>
 * archive chunks ─publishOn─▶ decrypt ▸ sniff ▸ decompress ▸ tar parse ─publishOn─▶ write + Adler-32
 *                             (decoder worker)                         (writer worker)
 *                 ─▶ verify CRC (combined from per-file Adler-32) ▸ atomic rename into place
 * </pre>
 *
 * Download, decoding and writing overlap on separate threads: the source's own (an event loop for
 * network sources), and two workers of the caller's scheduler, which must allow blocking calls
 * (file I/O happens there; for example {@code Schedulers.boundedElastic()}). Memory in flight is
 * bounded by {@link ExtractionConfig#maxBytesInFlight()}.
 */
public final class SegmentExtractor {

  private final ExtractionConfig config;
  private final CrypterRegistry crypters;
  private final Scheduler scheduler;
  private final BufferPool pool;
  private final SegmentSwap.StepObserver observer;

  public SegmentExtractor(ExtractionConfig config, CrypterRegistry crypters, Scheduler scheduler) {
    this(config, crypters, scheduler, SegmentSwap.StepObserver.NONE);
  }

  /** With a hook observing the swap steps, for crash-consistency tests. */
  public SegmentExtractor(
      ExtractionConfig config, CrypterRegistry crypters, Scheduler scheduler, SegmentSwap.StepObserver observer) {
    this.config = config;
    this.crypters = crypters;
    this.scheduler = scheduler;
    this.observer = observer;
    this.pool = new BufferPool(config.bufferSize(), 4 * (config.writeAhead() + 2));
  }

  public ExtractionConfig config() {
    return config;
  }

  /**
   * Extracts one archive.
   *
   * <p>Lazy: nothing happens until subscription. The archive's buffers become the pipeline's:
   * the source must not touch them once emitted. Completes with the result once the segment is in
   * place. Errors with a {@code SegmentTransferException} naming the segment and the cause
   * ({@code CrypterException} for an unknown crypter, before anything is written); on error or
   * cancel the staging directory is removed and any previous copy of the segment is untouched.
   */
  public Mono<ExtractionResult> extract(Flux<ByteBuffer> archive, ExtractionRequest request) {
    return Mono.defer(
        () -> {
          SegmentCrypter crypter = crypters.resolve(request.crypter().orElse(null), request.subject());
          return Mono.usingWhen(
              // Not fromCallable: a value it produces after a cancel is dropped without discard, which
              // left the staging directory behind when cancelled while it was being made. A create
              // sink discards a value that arrives after a cancel, so it is cleaned up here.
              Mono.<Extraction>create(sink -> sink.success(
                      Extraction.start(request, decryptor(crypter, request), config, pool, observer)))
                  .subscribeOn(scheduler)
                  // Cancelled while the staging directory was being made: it never reaches usingWhen.
                  .doOnDiscard(Extraction.class, Extraction::cleanup),
              extraction -> run(extraction, archive),
              this::cleanup,
              (extraction, error) -> cleanup(extraction),
              this::cleanup);
        });
  }

  private Mono<ExtractionResult> run(Extraction extraction, Flux<ByteBuffer> archive) {
    ArchiveDecoder decoder = extraction.decoder();
    // One worker for the whole decoder stage: chunks arriving and requests from the writer both
    // run the decoder there, so its native context and buffers stay on one thread instead of
    // moving between two workers whenever the other side triggers the drain.
    Scheduler decoderThread = Schedulers.single(scheduler);
    Flux<WriteBatch> batches =
        archive
            .publishOn(decoderThread, config.readAhead())
            .concatMapIterable(decoder::decode, 1)
            .concatWith(Flux.defer(() -> Flux.fromIterable(decoder.finish())))
            // Requests from the writer hop to the decoder's worker, so decoding never runs on the
            // writer's thread and the two stages keep overlapping.
            .subscribeOn(decoderThread, true);
    return batches
        .publishOn(scheduler, config.writeAhead())
        .doOnNext(extraction.writer()::write)
        .then(Mono.fromCallable(extraction::complete))
        .doFinally(signal -> decoderThread.dispose());
  }

  private Mono<Void> cleanup(Extraction extraction) {
    return Mono.<Void>fromRunnable(extraction::cleanup).subscribeOn(scheduler);
  }

  /** Null for a pass-through crypter: the decoder then skips the decrypt step and its copy. */
  private static ByteTransform decryptor(SegmentCrypter crypter, ExtractionRequest request) {
    ByteTransform decryptor = crypter.newDecryptor(request.subject());
    if (decryptor instanceof PassThroughTransform) {
      decryptor.close();
      return null;
    }
    return decryptor;
  }
}
