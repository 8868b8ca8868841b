package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.SegmentCrypter;
import io.segmenttransfer.core.layout.DiskWork;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.store.ReadBuffers;
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

  /**
   * Lent to every archive source: a store that reads into heap chunks (the file store) refills the
   * chunks the decoder has consumed instead of allocating one per read. Shared by the extractions
   * running at once, a few chunks each.
   */
  private final ReadBuffers readBuffers;

  private final SegmentSwap.StepObserver observer;

  public SegmentExtractor(ExtractionConfig config, CrypterRegistry crypters, Scheduler scheduler) {
    this(config, crypters, scheduler, SegmentSwap.StepObserver.NONE);
  }

  /** With a hook observing the swap steps, for crash-consistency tests. */
  public SegmentExtractor(
      ExtractionConfig config,
      CrypterRegistry crypters,
      Scheduler scheduler,
      SegmentSwap.StepObserver observer) {
    this.config = config;
    this.crypters = crypters;
    this.scheduler = scheduler;
    this.observer = observer;
    this.pool = new BufferPool(config.bufferSize(), 4 * (config.writeAhead() + 2));
    this.readBuffers = new ReadBuffers(config.bufferSize(), 4 * (config.readAhead() + 2));
  }

  public ExtractionConfig config() {
    return config;
  }

  /** The chunk buffers this extractor lends to its sources (for tests and benchmarks). */
  public ReadBuffers readBuffers() {
    return readBuffers;
  }

  /**
   * Extracts one archive.
   *
   * <p>Lazy: nothing happens until subscription. The archive's buffers become the pipeline's: the
   * source must not touch them once emitted. Heap chunks that wrap a whole array of {@link
   * ExtractionConfig#bufferSize()} bytes are given back to the source's store once consumed, for it
   * to refill ({@link ReadBuffers}, lent in the subscriber context). Completes with the result once
   * the segment is in place. Errors with a {@code SegmentTransferException} naming the segment and
   * the cause ({@code CrypterException} for an unknown crypter, before anything is written); on
   * error or cancel the staging directory is removed and any previous copy of the segment is
   * untouched. On error it is removed before the error is signalled. A cancel returns at once and
   * the removal runs on the scheduler, after any write or verification still running; it is counted
   * in the subscriber's {@link DiskWork}, so an operation that put one in its context can wait for
   * it ({@code SegmentDataDirectory} does before it releases the segment). A staging directory made
   * as the cancel came is removed too.
   */
  public Mono<ExtractionResult> extract(Flux<ByteBuffer> archive, ExtractionRequest request) {
    return Mono.defer(
        () -> {
          SegmentCrypter crypter =
              crypters.resolve(request.crypter().orElse(null), request.subject());
          // Staging is made on the scheduler and never abandoned: one made as a cancel comes is
          // removed too.
          return DiskWork.using(
              scheduler,
              () ->
                  Extraction.start(
                      request, decryptor(crypter, request), config, pool, readBuffers, observer),
              extraction -> run(extraction, archive),
              this::cleanup,
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
            // The decoder gives each chunk back once consumed (ArchiveDecoder.retire); a store
            // that reads into heap chunks refills those instead of allocating new ones.
            .contextWrite(readBuffers.lend())
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
    return DiskWork.blocking(
            scheduler,
            () -> {
              extraction.cleanup();
              return true;
            })
        .then();
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
