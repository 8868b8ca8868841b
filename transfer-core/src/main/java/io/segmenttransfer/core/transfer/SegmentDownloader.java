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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

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
          return run(segment, chain, request, null, listener, 0)
              .timeout(config.deadline())
              .onErrorMap(
                  TimeoutException.class,
                  e -> {
                    List<SourcesExhaustedException.Attempt> attempts =
                        new ArrayList<>(chain.failures());
                    URI deadline = URI.create("deadline:" + config.deadline());
                    attempts.add(
                        new SourcesExhaustedException.Attempt(
                            deadline,
                            chain.attempts(),
                            0,
                            new SourceUnavailableException(
                                deadline,
                                "the download took longer than " + config.deadline(),
                                e)));
                    return new SourcesExhaustedException(
                        request.segmentName().orElse(null), attempts);
                  })
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
