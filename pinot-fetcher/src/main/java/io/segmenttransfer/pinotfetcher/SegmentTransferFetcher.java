package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.ArchiveFetchResult;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pinot.common.utils.fetcher.BaseSegmentFetcher;
import org.apache.pinot.spi.env.PinotConfiguration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Pinot's {@code SegmentFetcher} on this project's pipeline. A Pinot server uses it for a protocol
 * by configuration alone ({@code pinot.server.segment.fetcher.<protocol>.class}); Pinot's {@code
 * SegmentFetcherFactory} creates one per protocol and calls {@link #init} with that protocol's keys
 * ({@link FetcherSettings}).
 *
 * <ul>
 *   <li>{@link #fetchUntarSegmentToLocalStreamed}: one pass from the source into the segment
 *       directory: ranged parallel GETs for S3, HTTP and local files, each resumed at the byte
 *       already consumed when the source fails; decryption when a crypter is configured;
 *       decompression and untar; the segment's CRC computed from the files as they are written and
 *       compared with the {@code creation.meta} the archive carries (Pinot passes no expected CRC
 *       to a fetcher, and its server compares the loaded segment with ZooKeeper's afterwards).
 *   <li>{@code fetchSegmentToLocal}: the archive as it is into a file, with the same retries,
 *       resume at the byte already written, and rotation over the given URIs; the supplier variant
 *       (Pinot's peer download) asks the supplier again each round.
 * </ul>
 *
 * <p>Every method blocks its caller (Pinot's download threads) until done; the pipeline itself runs
 * on its own event loops and I/O threads.
 */
public class SegmentTransferFetcher extends BaseSegmentFetcher implements AutoCloseable {

  /**
   * The table directory the pipeline stages under inside Pinot's destination; the segment is moved
   * out of it when complete. Pinot passes a fresh temporary directory per download.
   */
  static final TableNameWithType STAGING =
      new TableNameWithType("segment_fetch", TableNameWithType.TableType.OFFLINE);

  /** Names a fetched archive in events and errors when its URI does not. */
  private static final String UNNAMED = "archive";

  /**
   * Longer than any configured deadline: a bound, so a caller's thread is never held forever.
   * Pinot's fetcher API is synchronous (it calls on its own download threads), so the pipeline's
   * result is awaited here, at that edge only.
   */
  private static final Duration BLOCK_LIMIT = Duration.ofHours(2);

  private volatile @Nullable FetcherRuntime runtime;

  @Override
  protected void doInit(PinotConfiguration config) {
    NativeCodecs.requirePresent();
    // Pinot's BaseSegmentFetcher.init has built _authProvider from auth.* before calling doInit.
    FetcherSettings settings =
        FetcherSettings.from(config.toMap(), _retryCount, _retryWaitMs, _retryDelayScaleFactor)
            .withCredentials(PinotCredentials.from(_authProvider));
    if (!settings.unknownKeys().isEmpty()) {
      _logger.warn(
          "Ignoring segment fetcher settings this fetcher does not know: {} (known: {})",
          settings.unknownKeys(),
          FetcherSettings.OWN_KEYS);
    }
    FetcherRuntime previous = runtime;
    runtime = new FetcherRuntime(settings);
    if (previous != null) {
      previous.close();
    }
  }

  /**
   * Downloads and untars the archive at {@code uri} into {@code dest} in one pass; returns the
   * segment directory, {@code dest/<the archive's top-level directory>}, as Pinot's own fetchers
   * do. {@code maxStreamRateInByte} caps the archive bytes read per second (Pinot's -1 and 0 mean
   * no cap). {@code attempts} is set as Pinot's fetchers set it: the failed tries before the one
   * that succeeded, or all tries when none did.
   */
  @Override
  public File fetchUntarSegmentToLocalStreamed(
      URI uri, File dest, long maxStreamRateInByte, AtomicInteger attempts) throws Exception {
    FetcherRuntime rt = requireRuntime();
    Path destDir = dest.toPath().toAbsolutePath();
    ExtractionRequest request =
        new ExtractionRequest(
            destDir,
            STAGING,
            Optional.empty(),
            OptionalLong.empty(),
            Optional.ofNullable(rt.settings().crypter()));
    Path stagingTable = destDir.resolve(STAGING.toString());
    DownloadResult result;
    try {
      result =
          block(
              rt.downloader(ByteRateLimit.of(maxStreamRateInByte), PeerFinder.NONE)
                  .download(request, List.of(uri), TransferListener.NONE));
    } catch (RuntimeException e) {
      if (e instanceof SourcesExhaustedException exhausted) {
        attempts.set(exhausted.attempts().size());
      }
      // The pipeline removed its partial files; its staging directory goes too, so Pinot's
      // destination holds nothing of a failed download.
      removeStaging(stagingTable, e);
      throw e;
    }
    attempts.set(result.attempts() - 1);
    Path staged = result.extraction().directory();
    Path segmentDir = destDir.resolve(staged.getFileName().toString());
    // Pinot calls a fetcher on its own download thread, which may block: the move runs here.
    moveOut(staged, segmentDir, stagingTable);
    _logger.info(
        "Fetched and untarred {} into {}: {} archive bytes, {} attempt(s)",
        uri,
        segmentDir,
        result.extraction().archiveBytes(),
        result.attempts());
    return segmentDir.toFile();
  }

  /**
   * Releases the pipeline's threads and clients. Pinot never closes a fetcher (they live as long as
   * the server); tests and embedding programs do.
   */
  @Override
  public void close() {
    FetcherRuntime rt = runtime;
    runtime = null;
    if (rt != null) {
      rt.close();
    }
  }

  @Override
  public void fetchSegmentToLocal(URI uri, File dest) throws Exception {
    fetchSegmentToLocal(List.of(uri), dest);
  }

  /** Tries the URIs in order, each with Pinot's retries, resuming at the byte already written. */
  @Override
  public void fetchSegmentToLocal(List<URI> uris, File dest) throws Exception {
    if (uris == null || uris.isEmpty()) {
      throw new IllegalArgumentException("The input uri list is null or empty");
    }
    FetcherRuntime rt = requireRuntime();
    ArchiveFetchResult result =
        block(
            rt.downloader(null, PeerFinder.NONE)
                .fetchArchive(
                    archiveId(uris.get(0)),
                    uris,
                    false,
                    dest.toPath().toAbsolutePath(),
                    rt.scheduler(),
                    TransferListener.NONE));
    logFetched(uris, dest, result);
  }

  /**
   * Pinot's peer download: each round asks {@code uriSupplier} again (the external view may have
   * changed) and tries every URI once, for {@code retry.count} rounds.
   */
  @Override
  public void fetchSegmentToLocal(String segmentName, Supplier<List<URI>> uriSupplier, File dest)
      throws Exception {
    FetcherRuntime rt = requireRuntime();
    // The supplier may block (Pinot reads the external view from ZooKeeper): off the event loops.
    PeerFinder peers =
        segment ->
            Mono.fromCallable(() -> List.copyOf(uriSupplier.get())).subscribeOn(rt.scheduler());
    ArchiveFetchResult result =
        block(
            rt.downloader(null, peers)
                .fetchArchive(
                    new SegmentId(STAGING, segmentName),
                    List.of(),
                    true,
                    dest.toPath().toAbsolutePath(),
                    rt.scheduler(),
                    TransferListener.NONE));
    _logger.info(
        "Downloaded segment {} from peers into {}: {} bytes, {} attempt(s)",
        segmentName,
        dest,
        result.size(),
        result.attempts());
  }

  private void logFetched(List<URI> uris, File dest, ArchiveFetchResult result) {
    _logger.info(
        "Fetched {} into {}: {} bytes, {} attempt(s)",
        uris.size() == 1 ? uris.get(0) : uris,
        dest,
        result.size(),
        result.attempts());
  }

  private FetcherRuntime requireRuntime() {
    FetcherRuntime rt = runtime;
    if (rt == null) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " is not initialised: call init(PinotConfiguration) first");
    }
    return rt;
  }

  private static <T> T block(Mono<T> operation) {
    T value = operation.block(BLOCK_LIMIT);
    if (value == null) {
      throw new IllegalStateException("the download completed without a result");
    }
    return value;
  }

  /**
   * Moves the finished segment directory out of the staging table directory to where Pinot looks
   * for it, then removes the (empty but for the pipeline's tmp directory) staging directory.
   */
  private static void moveOut(Path staged, Path segmentDir, Path stagingTable) throws IOException {
    Files.move(staged, segmentDir, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(stagingTable);
  }

  /** After a failed download: removes the staging directory, keeping {@code failure} the error. */
  private static void removeStaging(Path stagingTable, RuntimeException failure) {
    try {
      deleteTree(stagingTable);
    } catch (IOException | UncheckedIOException e) {
      failure.addSuppressed(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> leftovers = Files.walk(root)) {
      for (Path p : leftovers.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The segment name a URI's file names (its last path element without the archive extension). */
  static SegmentId archiveId(URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    int tar = name.indexOf(".tar");
    if (tar > 0) {
      name = name.substring(0, tar);
    }
    try {
      return new SegmentId(STAGING, name);
    } catch (RuntimeException e) {
      return new SegmentId(STAGING, UNNAMED);
    }
  }

  /** For tests and the benchmark: the stores' URI form of a local path. */
  static URI fileUri(Path path) {
    return SegmentStores.toUri(path.toAbsolutePath().toString());
  }
}
