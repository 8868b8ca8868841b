package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.SegmentStores;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Downloads a segment through the source chain into the data directory: the deep-store URL from the
 * metadata first, then ONLINE peers; retries with backoff and jitter; resumes at the byte already
 * consumed when a source fails mid-stream; verifies the CRC the metadata promises.
 *
 * <p>A source whose bytes turn out bad (corrupt archive, CRC mismatch, failed authentication) is
 * not retried: the download starts over from the next source. Local failures (disk full) end the
 * download at once: no source can fix them.
 */
public final class SegmentDownloader {

  /** Names events of an archive whose segment is only known once its first entry is read. */
  private static final String UNNAMED = "archive";

  /** Chunks received ahead of the file writer in {@link #fetchArchive}: bounds memory in flight. */
  private static final int FETCH_CHUNKS_AHEAD = 4;

  private final SegmentExtractor extractor;
  private final SegmentStores stores;
  private final PeerFinder peers;
  private final DownloadConfig config;

  public SegmentDownloader(
      SegmentExtractor extractor, SegmentStores stores, PeerFinder peers, DownloadConfig config) {
    this.extractor = extractor;
    this.stores = stores;
    this.peers = peers;
    this.config = config;
  }

  /**
   * Downloads the segment {@code metadata} describes into {@code <dataDir>/<table>/<segment>},
   * replacing any copy there. Completes with the result once the segment is in place; errors with
   * {@link SourcesExhaustedException} listing every attempt when no source delivered it, or with
   * the local failure that stopped it. The previous copy is untouched on error and on cancel.
   */
  public Mono<DownloadResult> download(
      SegmentMetadata metadata, Path dataDir, TransferListener listener) {
    return Mono.defer(
        () -> {
          ExtractionRequest request =
              ExtractionRequest.of(dataDir, metadata.segment())
                  .withExpectedCrc(metadata.crc())
                  .withCrypter(metadata.crypter().orElse(null));
          return download(request, deepStoreUris(metadata), listener);
        });
  }

  /**
   * Downloads an archive from {@code sources} in order (then peers, when the request names the
   * segment) and extracts it as {@code request} says; the same retries, resume and deadline as
   * {@link #download(SegmentMetadata, Path, TransferListener)}, without needing the metadata.
   */
  public Mono<DownloadResult> download(
      ExtractionRequest request, List<URI> sources, TransferListener listener) {
    return Mono.defer(
        () -> {
          SegmentId segment = new SegmentId(request.table(), request.segmentName().orElse(UNNAMED));
          PeerFinder peerFinder = request.segmentName().isPresent() ? peers : PeerFinder.NONE;
          SourceChain chain = new SourceChain(segment, sources, stores, peerFinder, config);
          return withDeadline(
                  run(segment, chain, request, null, listener, 0),
                  chain,
                  request.segmentName().orElse(null))
              // Before the archive names its segment there is no segment to name: the attempts
              // name the archive's source instead.
              .onErrorMap(
                  e -> e instanceof SourcesExhaustedException && request.segmentName().isEmpty(),
                  e ->
                      new SourcesExhaustedException(
                          null, ((SourcesExhaustedException) e).attempts()));
        });
  }

  private Mono<DownloadResult> run(
      SegmentId segment,
      SourceChain chain,
      ExtractionRequest request,
      SourceChain.Candidate first,
      TransferListener listener,
      int restarts) {
    ResumableRead read = new ResumableRead(segment, chain, config, listener, first);
    return extractor
        .extract(read.bytes(), request)
        .map(
            result ->
                new DownloadResult(
                    result, chain.attempts(), chain.failures(), chain.bytesBySource(), restarts))
        .onErrorResume(
            error -> {
              if (error instanceof ResumableRead.RestartRequired restart) {
                return run(segment, chain, request, restart.candidate(), listener, restarts + 1);
              }
              SourceChain.Candidate source = read.current();
              if (source != null && isBadSourceData(error)) {
                chain.failed(source, read.consumed(), error, false);
                listener.on(
                    new TransferEvent.AttemptFailed(
                        segment, source.uri(), source.attempt(), read.consumed(), error));
                return run(segment, chain, request, null, listener, restarts + 1);
              }
              return Mono.error(error);
            });
  }

  /**
   * Downloads an archive as it is, without extracting it, from {@code sources} in order and then,
   * when {@code withPeers}, from the peers found for {@code segment}: the same retries, backoff,
   * resume at the byte already written, and deadline as a download. The bytes go to a temporary
   * sibling of {@code dest}, written on {@code scheduler} (which must allow blocking), and are
   * moved onto {@code dest} only once complete, so {@code dest} never holds a partial archive; the
   * temporary file is deleted on error and on cancel. Nothing is verified: the archive is not read.
   * Errors with {@link SourcesExhaustedException} listing every attempt, or with the local failure
   * that stopped it.
   */
  public Mono<ArchiveFetchResult> fetchArchive(
      SegmentId segment,
      List<URI> sources,
      boolean withPeers,
      Path dest,
      Scheduler scheduler,
      TransferListener listener) {
    return Mono.defer(
        () -> {
          SourceChain chain =
              new SourceChain(
                  segment, sources, stores, withPeers ? peers : PeerFinder.NONE, config);
          ArchiveFileSink sink = new ArchiveFileSink(dest, scheduler);
          Mono<ArchiveFetchResult> fetch =
              Mono.usingWhen(
                  sink.open(),
                  channel ->
                      fetchInto(segment, chain, sink, channel, null, listener, scheduler)
                          .then(
                              Mono.fromCallable(
                                  () ->
                                      new ArchiveFetchResult(
                                          dest,
                                          channel.size(),
                                          chain.attempts(),
                                          chain.failures(),
                                          chain.bytesBySource()))),
                  sink::commit,
                  (channel, error) -> sink.discard(channel),
                  sink::discard);
          return withDeadline(fetch, chain, segment.segmentName());
        });
  }

  private Mono<Void> fetchInto(
      SegmentId segment,
      SourceChain chain,
      ArchiveFileSink sink,
      FileChannel channel,
      SourceChain.Candidate first,
      TransferListener listener,
      Scheduler scheduler) {
    ResumableRead read = new ResumableRead(segment, chain, config, listener, first);
    return read.bytes()
        // Writes block: they leave the event loop the source emits on.
        .publishOn(scheduler, FETCH_CHUNKS_AHEAD)
        .doOnNext(chunk -> sink.writeFully(channel, chunk))
        .then()
        .onErrorResume(
            ResumableRead.RestartRequired.class,
            restart ->
                // Another source serves other bytes: what was written is of no use with them.
                Mono.fromCallable(() -> channel.truncate(0).position(0))
                    .subscribeOn(scheduler)
                    .then(
                        fetchInto(
                            segment,
                            chain,
                            sink,
                            channel,
                            restart.candidate(),
                            listener,
                            scheduler)));
  }

  /**
   * Ends the whole operation at the configured deadline, reporting it as one more failed attempt
   * after those the chain recorded.
   */
  private <T> Mono<T> withDeadline(Mono<T> operation, SourceChain chain, String subject) {
    return operation
        .timeout(config.deadline())
        .onErrorMap(
            TimeoutException.class,
            e -> {
              List<SourcesExhaustedException.Attempt> attempts = new ArrayList<>(chain.failures());
              URI deadline = URI.create("deadline:" + config.deadline());
              attempts.add(
                  new SourcesExhaustedException.Attempt(
                      deadline,
                      chain.attempts(),
                      0,
                      new SourceUnavailableException(
                          deadline, "the download took longer than " + config.deadline(), e)));
              return new SourcesExhaustedException(subject, attempts);
            });
  }

  /** The metadata's download URL; empty for "" (peers only) or when absent. */
  static List<URI> deepStoreUris(SegmentMetadata metadata) {
    return metadata
        .downloadUrl()
        .filter(url -> !url.isBlank())
        .map(url -> List.of(SegmentStores.toUri(url)))
        .orElse(List.of());
  }

  private static boolean isBadSourceData(Throwable error) {
    return error instanceof InvalidArchiveException
        || error instanceof CrcMismatchException
        || error instanceof ArchiveLimitExceededException
        || error instanceof CrypterException;
  }
}
