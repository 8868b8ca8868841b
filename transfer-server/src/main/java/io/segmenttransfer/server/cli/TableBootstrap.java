package io.segmenttransfer.server.cli;

import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.DataDirectoryLock;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.peer.ExternalViewPeerFinder;
import io.segmenttransfer.peer.PeerDiscoveryConfig;
import io.segmenttransfer.server.cli.BootstrapSummary.SegmentResult;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The one-shot bootstrap that {@code bootstrap} and {@code quickstart} run: recovers the data
 * directory, then adds or replaces every segment at once through {@link
 * SegmentDataDirectory#addOrReplace}, which queues them within its download limits, keeps CRC-equal
 * copies, and downloads the rest from the deep store with ONLINE peers as the fallback. One segment
 * failing does not stop the others: every segment ends in the summary.
 */
final class TableBootstrap {

  /** Segment metadata records fetched from the controller at once. */
  private static final int METADATA_CONCURRENCY = 8;

  /**
   * How a bootstrap runs.
   *
   * @param controller the controller for peer discovery and fresh metadata; null for none (then
   *     only the download URLs are tried)
   * @param maxParallelDownloads downloads at once; 0 for no limit
   * @param peerRounds rounds of peer discovery per segment once its deep-store copy failed
   */
  record Settings(
      Path dataDir,
      URI controller,
      int maxParallelDownloads,
      int peerRounds,
      io.segmenttransfer.http.tls.ClientSecurity security) {

    /**
     * Pinot's peer-discovery attempts, as in {@link RetryPolicy#DEFAULT_PEERS}; a constant for the
     * flag's default.
     */
    static final int DEFAULT_PEER_ROUNDS = 5;

    Settings {
      if (maxParallelDownloads < 0) {
        throw new InvalidRequestException(
            null,
            "--max-parallel-downloads must be 0 (no limit) or more, was " + maxParallelDownloads);
      }
      if (peerRounds < 1) {
        throw new InvalidRequestException(
            null, "--peer-rounds must be at least 1, was " + peerRounds);
      }
      dataDir = dataDir.toAbsolutePath().normalize();
      security = security == null ? io.segmenttransfer.http.tls.ClientSecurity.none() : security;
    }

    /** Pinot's peer backoff with this many rounds. */
    RetryPolicy peerRetry() {
      RetryPolicy pinot = RetryPolicy.DEFAULT_PEERS;
      return new RetryPolicy(
          peerRounds, pinot.initialBackoff(), pinot.factor(), pinot.maxBackoff(), pinot.jitter());
    }
  }

  private TableBootstrap() {}

  /**
   * Every segment of a table with its metadata, sorted by name. A name with a type suffix is that
   * table; a raw name is every type of it that exists. Errors with {@link InvalidRequestException}
   * when there is no such table.
   */
  static Mono<List<SegmentMetadata>> listTable(ControllerClient controller, String table) {
    return listTable(controller, table, segment -> true);
  }

  /**
   * As {@link #listTable(ControllerClient, String)}, keeping only the segments {@code wanted}
   * accepts; the others' metadata is not fetched.
   */
  static Mono<List<SegmentMetadata>> listTable(
      ControllerClient controller, String table, Predicate<SegmentId> wanted) {
    Mono<List<TableNameWithType>> tables =
        table.endsWith("_OFFLINE") || table.endsWith("_REALTIME")
            ? Mono.fromCallable(() -> List.of(TableNameWithType.parse(table)))
            : Mono.fromCallable(
                    () -> new TableNameWithType(table, TableNameWithType.TableType.OFFLINE))
                .then(controller.table(table))
                .map(
                    configs ->
                        configs.keySet().stream()
                            .map(type -> new TableNameWithType(table, type))
                            .toList());
    return tables
        .flatMapMany(Flux::fromIterable)
        .concatMap(
            typed ->
                controller
                    .segments(typed)
                    .flatMapMany(
                        names -> Flux.fromIterable(names).map(name -> new SegmentId(typed, name))))
        .filter(wanted)
        .flatMapSequential(controller::metadata, METADATA_CONCURRENCY)
        .sort(
            Comparator.comparing((SegmentMetadata m) -> m.table().toString())
                .thenComparing(SegmentMetadata::segmentName))
        .collectList()
        .onErrorMap(
            SourceNotFoundException.class,
            e ->
                new InvalidRequestException(
                    null,
                    "no table "
                        + table
                        + " on the controller "
                        + controller.baseUrl()
                        + " ("
                        + e.getMessage()
                        + ")",
                    e));
  }

  /**
   * Runs a bootstrap of {@code segments} and returns its summary once every segment is in place or
   * failed. Blocks the calling (command) thread, which prints the progress lines meanwhile; fails
   * only when the data directory cannot be recovered.
   *
   * @param extraStores stores besides local files (HTTP for peers and controller URLs, S3); closed
   *     here
   */
  static BootstrapSummary run(
      Settings settings,
      String label,
      List<SegmentMetadata> segments,
      CrypterRegistry crypters,
      List<SegmentStore> extraStores,
      BootstrapProgress progress)
      throws InterruptedException {
    PeerFinder peers =
        settings.controller() == null
            ? PeerFinder.NONE
            : new ExternalViewPeerFinder(
                settings.security().configure(HttpClient.create()),
                PeerDiscoveryConfig.of(settings.controller(), null));
    ControllerClient metadataSource =
        settings.controller() == null
            ? null
            : ControllerClient.create(settings.controller().toString(), settings.security());
    DownloadConfig download =
        DownloadConfig.defaults().withRetries(RetryPolicy.DEFAULT_DEEP_STORE, settings.peerRetry());
    RuntimeConfig runtimeConfig =
        RuntimeConfig.defaults()
            .withDownload(download)
            .forParallelTransfers(settings.maxParallelDownloads());
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(settings.dataDir(), "bootstrap");
        TransferRuntime runtime =
            new TransferRuntime(
                TransferRuntime.CLI_THREADS, runtimeConfig, crypters, extraStores)) {
      SegmentDataDirectory directory =
          runtime.dataDirectory(
              settings.dataDir(),
              DataDirectoryConfig.defaults().withLimits(settings.maxParallelDownloads(), 0),
              peers,
              metadataSource,
              progress);
      Mono<BootstrapSummary> work =
          Mono.defer(
              () -> {
                long started = System.nanoTime();
                return directory
                    .recover()
                    // All at once: the directory's permits decide how many download, the rest wait
                    // without a thread.
                    .thenMany(
                        Flux.fromIterable(segments)
                            .flatMap(
                                metadata ->
                                    directory
                                        .addOrReplace(metadata)
                                        .map(SegmentResult::of)
                                        .onErrorResume(
                                            error ->
                                                Mono.just(
                                                    SegmentResult.failed(
                                                        metadata.segment(), error))),
                                Math.max(1, segments.size())))
                    .sort(Comparator.comparing(result -> result.segment().toString()))
                    .collectList()
                    .map(
                        results ->
                            BootstrapSummary.of(
                                label,
                                settings.dataDir().toString(),
                                results,
                                Duration.ofNanos(System.nanoTime() - started)));
              });
      return progress.await(work);
    }
  }

  /** The archive bytes the segments' metadata announce; 0 when none does. */
  static long announcedBytes(List<SegmentMetadata> segments) {
    return segments.stream().mapToLong(m -> m.sizeInBytes().orElse(0)).sum();
  }
}
