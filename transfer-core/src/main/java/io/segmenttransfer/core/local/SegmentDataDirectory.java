package io.segmenttransfer.core.local;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentNotReadyException;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.layout.DiskWork;
import io.segmenttransfer.core.layout.SegmentPaths;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.local.SegmentOutcome.Action;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.RealtimeStatus;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.SegmentMetadataSource;
import io.segmenttransfer.core.transfer.TransferEvent;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A server's data directory, {@code <dataDir>/<tableNameWithType>/<segmentName>}: decides when a
 * segment must be downloaded, swaps copies in with renames only, and recovers from a crash at any
 * step (see {@link SegmentSwap}).
 *
 * <p>Changes to one segment run one after another; reads (peer uploads) share the segment.
 * Downloads of different segments run in parallel up to the server-wide and per-table limits.
 * Waiting for a lock or a permit blocks no thread and is cancellable. Every operation that
 * completes or fails ends with a {@link TransferEvent.Finished} event. A cancel returns at once;
 * the cancelled operation keeps its segment (queued operations wait, {@link #busySegments()} counts
 * it) until its file-system work has stopped, its staging directory is removed and any backup is
 * put back. File-system work runs on the given blocking-capable scheduler.
 */
public final class SegmentDataDirectory implements LocalSegments {

  private final Path dataDir;
  private final SegmentDownloader downloader;
  private final DataDirectoryConfig config;
  private final Scheduler scheduler;
  private final PeerFinder peers;
  private final SegmentMetadataSource metadataSource;
  private final TransferListener listener;
  private final SegmentSwap.StepObserver observer;
  private final SegmentLocks<SegmentId> locks = new SegmentLocks<>();
  private final AsyncPermits serverPermits;
  private final Map<TableNameWithType, AsyncPermits> tablePermits = new ConcurrentHashMap<>();

  /**
   * @param peers asked whether a COMMITTING segment already has an ONLINE replica
   * @param metadataSource re-reads the metadata of a COMMITTING segment; null when there is no
   *     controller
   * @param observer sees each step of a swap or reload: crash tests hook in here
   */
  public SegmentDataDirectory(
      Path dataDir,
      SegmentDownloader downloader,
      DataDirectoryConfig config,
      Scheduler scheduler,
      PeerFinder peers,
      @Nullable SegmentMetadataSource metadataSource,
      TransferListener listener,
      SegmentSwap.StepObserver observer) {
    this.dataDir = dataDir.toAbsolutePath();
    this.downloader = downloader;
    this.config = config;
    this.scheduler = scheduler;
    this.peers = peers;
    this.metadataSource = metadataSource;
    this.listener = listener;
    this.observer = observer;
    this.serverPermits = new AsyncPermits(config.maxParallelDownloads());
  }

  public Path dataDir() {
    return dataDir;
  }

  // ---------------------------------------------------------------- add or replace

  /**
   * Makes the segment's local copy match the metadata: keeps a copy whose CRC already matches,
   * restores a matching copy an interrupted operation left, and otherwise downloads it (deep store,
   * then peers) and swaps it in. Errors: {@code InvalidRequestException} for bad metadata (nothing
   * touched), {@code SegmentNotReadyException} for a segment still consuming, or the download's
   * error (the previous copy untouched).
   */
  public Mono<SegmentOutcome> addOrReplace(SegmentMetadata metadata) {
    return operation(
        "add",
        metadata.segment(),
        () -> {
          long crc = metadata.crc();
          metadata.realtimeStatus();
          return exclusive(metadata.segment(), () -> addLocked(metadata, crc));
        });
  }

  private Mono<SegmentOutcome> addLocked(SegmentMetadata metadata, long expectedCrc) {
    SegmentPaths paths = paths(metadata.segment());
    long started = System.nanoTime();
    return blocking(
            () -> {
              Optional<CreationMeta> local = readCreationMeta(paths.segmentDir());
              if (local.isPresent() && local.get().crc() == expectedCrc) {
                return new LocalState(local, false);
              }
              boolean recovered = SegmentSwap.recover(paths) != null;
              return new LocalState(
                  recovered ? readCreationMeta(paths.segmentDir()) : local, recovered);
            })
        .flatMap(
            state -> {
              if (state.crc().isPresent() && state.crc().get() == expectedCrc) {
                return Mono.just(
                    outcome(
                        metadata.segment(),
                        state.recovered() ? Action.RECOVERED : Action.KEPT,
                        expectedCrc,
                        0,
                        started,
                        null));
              }
              return awaitDownloadable(metadata)
                  .flatMap(this::download)
                  .map(
                      result ->
                          outcome(
                              metadata.segment(),
                              state.crc().isPresent() ? Action.REPLACED : Action.DOWNLOADED,
                              result.extraction().crc(),
                              result.extraction().bytesWritten(),
                              started,
                              result));
            });
  }

  private record LocalState(Optional<CreationMeta> meta, boolean recovered) {
    Optional<Long> crc() {
      return meta.map(CreationMeta::crc);
    }
  }

  /**
   * Pinot's download policy: IN_PROGRESS has no copy anywhere yet; COMMITTING waits (bounded) until
   * the controller reports it completed or a peer holds it ONLINE; DONE and UPLOADED go ahead.
   */
  private Mono<SegmentMetadata> awaitDownloadable(SegmentMetadata metadata) {
    RealtimeStatus status = metadata.realtimeStatus();
    if (status == RealtimeStatus.IN_PROGRESS) {
      return Mono.error(
          new SegmentNotReadyException(
              metadata.segmentName(),
              "status IN_PROGRESS: the segment is still consuming and has no copy to download"));
    }
    if (status.isCompleted()) {
      return Mono.just(metadata);
    }
    Mono<SegmentMetadata> check =
        Mono.defer(
            () -> {
              Mono<SegmentMetadata> fresh =
                  metadataSource == null
                      ? Mono.just(metadata)
                      : metadataSource
                          .fetch(metadata.segment())
                          .onErrorResume(e -> Mono.just(metadata));
              return fresh.flatMap(
                  current ->
                      current.realtimeStatus().isCompleted()
                          ? Mono.just(current)
                          : peers
                              .findPeers(metadata.segment())
                              .onErrorReturn(List.of())
                              .flatMap(
                                  found ->
                                      found.isEmpty()
                                          ? Mono.<SegmentMetadata>empty()
                                          : Mono.just(current)));
            });
    return check
        .repeatWhenEmpty(attempts -> attempts.delayElements(config.committingPollInterval()))
        .timeout(
            config.committingTimeout(),
            Mono.error(
                () ->
                    new SegmentNotReadyException(
                        metadata.segmentName(),
                        "status COMMITTING: not completed and no ONLINE peer within "
                            + config.committingTimeout())));
  }

  /** One download within the per-table and server-wide limits; queued while both are taken. */
  private Mono<DownloadResult> download(SegmentMetadata metadata) {
    AsyncPermits table =
        tablePermits.computeIfAbsent(
            metadata.table(), t -> new AsyncPermits(config.maxParallelDownloadsPerTable()));
    return Mono.usingWhen(
        table.acquire(),
        tablePermit ->
            Mono.usingWhen(
                serverPermits.acquire(),
                serverPermit -> downloader.download(metadata, dataDir, listener),
                AsyncPermitsRelease::release,
                (p, e) -> AsyncPermitsRelease.release(p),
                AsyncPermitsRelease::release),
        AsyncPermitsRelease::release,
        (p, e) -> AsyncPermitsRelease.release(p),
        AsyncPermitsRelease::release);
  }

  /** Adapts a permit's release to usingWhen's cleanup signature. */
  private static final class AsyncPermitsRelease {
    static Mono<Void> release(AsyncPermits.Permit permit) {
      return Mono.fromRunnable(permit::release);
    }
  }

  // ---------------------------------------------------------------- reload

  /**
   * Pinot's reload: the index directory is renamed to {@code <segment>.segment.bak}, then either a
   * fresh copy is downloaded (forced, or the CRC differs and the segment is completed) or the
   * backup is copied back; on success the backup becomes {@code .segment.tmp} and is deleted, on
   * any failure the backup is restored and the error reported. A segment not present is downloaded.
   */
  public Mono<SegmentOutcome> reload(SegmentMetadata metadata, boolean forceDownload) {
    return operation(
        "reload",
        metadata.segment(),
        () -> {
          long crc = metadata.crc();
          metadata.realtimeStatus();
          return exclusive(metadata.segment(), () -> reloadLocked(metadata, crc, forceDownload));
        });
  }

  private Mono<SegmentOutcome> reloadLocked(
      SegmentMetadata metadata, long expectedCrc, boolean forceDownload) {
    SegmentPaths paths = paths(metadata.segment());
    long started = System.nanoTime();
    return blocking(
            () -> {
              SegmentSwap.recover(paths);
              return readCreationMeta(paths.segmentDir());
            })
        .flatMap(
            local -> {
              if (local.isEmpty()) {
                return addLocked(metadata, expectedCrc);
              }
              boolean download =
                  forceDownload
                      || (local.get().crc() != expectedCrc
                          && metadata.realtimeStatus().isCompleted());
              Mono<SegmentOutcome> fill =
                  download
                      ? awaitDownloadable(metadata)
                          .flatMap(this::download)
                          .map(
                              result ->
                                  outcome(
                                      metadata.segment(),
                                      Action.REPLACED,
                                      result.extraction().crc(),
                                      result.extraction().bytesWritten(),
                                      started,
                                      result))
                      : blocking(() -> copyBack(paths))
                          .map(
                              bytes ->
                                  outcome(
                                      metadata.segment(),
                                      Action.RELOADED,
                                      local.get().crc(),
                                      bytes,
                                      started,
                                      null));
              // The backup is the resource: on error and on cancel alike it is put back in place,
              // once
              // the download or copy-back has stopped and cleaned up after itself.
              return DiskWork.using(
                  scheduler,
                  () ->
                      io(
                          () -> {
                            observer.before("reload-backup");
                            SegmentSwap.move(paths.segmentDir(), paths.backupDir());
                            return paths;
                          }),
                  backup ->
                      fill.flatMap(
                          outcome ->
                              blocking(
                                  () -> {
                                    observer.before("reload-commit");
                                    SegmentSwap.move(paths.backupDir(), paths.tempDir());
                                    observer.before("reload-cleanup");
                                    SegmentSwap.deleteRecursively(paths.tempDir());
                                    return outcome;
                                  })),
                  backup -> Mono.empty(),
                  backup -> blocking(() -> SegmentSwap.recover(backup)).then());
            });
  }

  /**
   * Copies the backup into a staging directory, then renames it into place: a crash mid-copy leaves
   * only staging.
   */
  private long copyBack(SegmentPaths paths) throws IOException {
    observer.before("reload-copy");
    Path staging =
        paths
            .stagingRoot()
            .resolve(SegmentPaths.stagingName(paths.segment().segmentName() + "-reload"));
    Files.createDirectories(staging);
    long[] bytes = {0};
    try {
      try (Stream<Path> walk = Files.walk(paths.backupDir())) {
        for (Path source : (Iterable<Path>) walk::iterator) {
          Path target = staging.resolve(paths.backupDir().relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            bytes[0] += Files.size(target);
          }
        }
      }
      observer.before("reload-install");
      SegmentSwap.move(staging, paths.segmentDir());
    } catch (IOException | RuntimeException e) {
      try {
        SegmentSwap.deleteRecursively(staging);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return bytes[0];
  }

  // ---------------------------------------------------------------- adopt

  /**
   * Installs a segment built elsewhere on this machine (the segment a server just committed):
   * copies {@code sourceDir} into staging, verifies that its files add up to the CRC of its own
   * {@code creation.meta}, and swaps it into service with the rename protocol of every other
   * operation, under the segment's lock; any copy in service is replaced. {@code sourceDir} is only
   * read. On error or cancel the staging copy is deleted and the previous copy is untouched; a
   * crash leaves what {@link #recover()} cleans up. Errors: {@code InvalidRequestException} when
   * the source is not a segment directory, {@code CrcMismatchException} when its files do not match
   * its creation.meta, {@code SegmentWriteException} for file-system failures.
   */
  public Mono<SegmentOutcome> adopt(SegmentId segment, Path sourceDir) {
    return operation(
        "adopt",
        segment,
        () ->
            exclusive(
                segment,
                () -> {
                  long started = System.nanoTime();
                  SegmentPaths paths = paths(segment);
                  Path source = sourceDir.toAbsolutePath().normalize();
                  // The staging copy is the resource: deleted on error and on cancel alike, once
                  // the copy stopped.
                  return DiskWork.using(
                      scheduler,
                      () ->
                          io(
                              () -> {
                                SegmentCopy.checkSource(segment.segmentName(), source);
                                SegmentSwap.recover(paths);
                                return paths
                                    .stagingRoot()
                                    .resolve(
                                        SegmentPaths.stagingName(segment.segmentName() + "-adopt"));
                              }),
                      staging ->
                          blocking(
                              () -> {
                                observer.before("adopt-copy");
                                SegmentCopy.Staged staged =
                                    SegmentCopy.copy(segment.segmentName(), source, staging);
                                SegmentSwap.moveIntoPlace(staging, paths, observer);
                                return outcome(
                                    segment,
                                    Action.ADOPTED,
                                    staged.creationMeta().crc(),
                                    staged.bytes(),
                                    started,
                                    null);
                              }),
                      staging -> Mono.empty(),
                      staging ->
                          blocking(
                                  () -> {
                                    SegmentSwap.deleteRecursively(staging);
                                    return true;
                                  })
                              .then());
                }));
  }

  // ---------------------------------------------------------------- remove

  /**
   * Deletes the segment and any backup or temp copy it left. Completes with REMOVED even when
   * nothing was there.
   */
  public Mono<SegmentOutcome> remove(SegmentId segment) {
    return operation(
        "remove",
        segment,
        () ->
            exclusive(
                segment,
                () -> {
                  long started = System.nanoTime();
                  SegmentPaths paths = paths(segment);
                  return blocking(
                      () -> {
                        // Rename first: a crash mid-delete leaves a .segment.tmp, which recovery
                        // deletes.
                        if (Files.exists(paths.segmentDir())) {
                          SegmentSwap.deleteRecursively(paths.tempDir());
                          SegmentSwap.move(paths.segmentDir(), paths.tempDir());
                        }
                        SegmentSwap.deleteRecursively(paths.backupDir());
                        SegmentSwap.deleteRecursively(paths.tempDir());
                        return outcome(segment, Action.REMOVED, 0, 0, started, null);
                      });
                }));
  }

  // ---------------------------------------------------------------- recovery

  /**
   * Startup recovery of every table: a {@code .segment.bak} means a swap or reload did not finish
   * (the backup is restored), a {@code .segment.tmp} means it did (deleted), and staging
   * directories under {@code tmp/} are deleted. Run it before any other operation.
   */
  public Mono<List<RecoveryAction>> recover() {
    return blocking(
        () -> {
          List<RecoveryAction> actions = new ArrayList<>();
          if (!Files.isDirectory(dataDir)) {
            return actions;
          }
          for (Path tableDir : list(dataDir)) {
            if (Files.isDirectory(tableDir) && isTableName(tableDir.getFileName().toString())) {
              recoverTable(tableDir, actions);
            }
          }
          return actions;
        });
  }

  private void recoverTable(Path tableDir, List<RecoveryAction> actions) throws IOException {
    TableNameWithType table = TableNameWithType.parse(tableDir.getFileName().toString());
    for (Path entry : list(tableDir)) {
      String name = entry.getFileName().toString();
      if (name.equals(SegmentPaths.STAGING_DIR) && Files.isDirectory(entry)) {
        for (Path staged : list(entry)) {
          SegmentSwap.deleteRecursively(staged);
          actions.add(new RecoveryAction(staged, "removed staging directory"));
        }
      } else if (name.endsWith(SegmentPaths.BACKUP_SUFFIX)
          || name.endsWith(SegmentPaths.TEMP_SUFFIX)) {
        String segmentName = name.substring(0, name.length() - SegmentPaths.BACKUP_SUFFIX.length());
        SegmentPaths paths = new SegmentPaths(dataDir, new SegmentId(table, segmentName));
        String action = SegmentSwap.recover(paths);
        if (action != null) {
          actions.add(new RecoveryAction(entry, action));
        }
      }
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public <T> Flux<T> withSegment(SegmentId segment, Function<LocalSegment, Publisher<T>> reader) {
    return locks.withLock(
        segment,
        false,
        () ->
            blocking(() -> localSegment(segment))
                .flatMapMany(local -> local.<Publisher<T>>map(reader).orElse(Flux.empty())));
  }

  /** The segment's local copy, if it holds a readable {@code creation.meta}. Blocking. */
  public Optional<LocalSegment> localSegment(SegmentId segment) {
    Path dir = paths(segment).segmentDir();
    return readCreationMeta(dir).map(meta -> new LocalSegment(segment, dir, meta));
  }

  /**
   * Local CRCs of a table's segments, by segment name (for {@code GET /tables/{t}/segments/crc}).
   */
  public Mono<Map<String, Long>> localCrcs(TableNameWithType table) {
    return blocking(
        () -> {
          Map<String, Long> crcs = new TreeMap<>();
          Path tableDir = dataDir.resolve(table.toString());
          if (Files.isDirectory(tableDir)) {
            for (Path entry : list(tableDir)) {
              String name = entry.getFileName().toString();
              if (!name.equals(SegmentPaths.STAGING_DIR)
                  && !name.endsWith(SegmentPaths.BACKUP_SUFFIX)
                  && !name.endsWith(SegmentPaths.TEMP_SUFFIX)
                  && Files.isDirectory(entry)) {
                readCreationMeta(entry).ifPresent(meta -> crcs.put(name, meta.crc()));
              }
            }
          }
          return crcs;
        });
  }

  /**
   * Operations waiting for a segment's lock (queued behind another operation on the same segment).
   */
  public int queuedOperations() {
    return locks.waiting();
  }

  /**
   * How many segments have an operation running or queued (a cancelled one until its cleanup has
   * finished): zero when the directory is idle and no staging directory or backup is left.
   */
  public int busySegments() {
    return locks.activeKeys();
  }

  /**
   * Whether a change to the segment (add, replace, reload, remove) is running or queued now: what a
   * server reports as {@code reloading}, so the controller's deep-store sync leaves it alone.
   */
  public boolean isChanging(SegmentId segment) {
    return locks.changing(segment);
  }

  /** Downloads running now on this server. */
  public int activeDownloads() {
    return serverPermits.inUse();
  }

  /** Downloads waiting for a server-wide or per-table permit. */
  public int queuedDownloads() {
    return serverPermits.waiting()
        + tablePermits.values().stream().mapToInt(AsyncPermits::waiting).sum();
  }

  /** The most downloads that ever ran at once on this server. */
  public int peakParallelDownloads() {
    return serverPermits.peakInUse();
  }

  /** The most downloads that ever ran at once for a table. */
  public int peakParallelDownloads(TableNameWithType table) {
    AsyncPermits permits = tablePermits.get(table);
    return permits == null ? 0 : permits.peakInUse();
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Reads {@code creation.meta} of a segment directory ({@code v3/} first, as Pinot does).
   * Blocking.
   */
  public static Optional<CreationMeta> readCreationMeta(Path segmentDir) {
    for (Path candidate :
        List.of(
            segmentDir.resolve("v3").resolve(CreationMeta.FILE_NAME),
            segmentDir.resolve(CreationMeta.FILE_NAME))) {
      try {
        byte[] bytes = Files.readAllBytes(candidate);
        CreationMeta meta = CreationMeta.parse(bytes, bytes.length);
        if (meta != null) {
          return Optional.of(meta);
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // try the next layout
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Optional.empty();
  }

  private Mono<SegmentOutcome> operation(
      String name, SegmentId segment, java.util.function.Supplier<Mono<SegmentOutcome>> work) {
    long started = System.nanoTime();
    return Mono.defer(work)
        .doOnSuccess(
            outcome ->
                listener.on(
                    new TransferEvent.Finished(
                        segment,
                        name,
                        outcome.action().label(),
                        outcome.bytes(),
                        outcome.attempts(),
                        outcome.duration(),
                        null)))
        .doOnError(
            error ->
                listener.on(
                    new TransferEvent.Finished(
                        segment,
                        name,
                        "failed",
                        0,
                        0,
                        Duration.ofNanos(System.nanoTime() - started),
                        error)));
  }

  private void checkDataDir() {
    if (Files.exists(dataDir) && (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir))) {
      throw new InvalidRequestException(
          null, "data directory " + dataDir + " is not a writable directory");
    }
  }

  /**
   * The lock is asked for at subscription, so operations on one segment queue in the order they
   * arrive; the data directory is checked (file I/O, on the scheduler) once the lock is held.
   */
  private Mono<SegmentOutcome> exclusive(
      SegmentId segment, java.util.function.Supplier<Mono<SegmentOutcome>> work) {
    return Mono.defer(
        () -> {
          // Counts the operation's file-system work and resources (staging directories, the
          // backup):
          // a cancel returns at once, and the lock is released only once all of it has stopped.
          // singleOrEmpty, not next: the outcome reaches the caller after the lock was released.
          DiskWork inFlight = new DiskWork();
          return locks
              .withLock(
                  segment,
                  true,
                  inFlight.whenIdle(),
                  () ->
                      blocking(
                              () -> {
                                checkDataDir();
                                return true;
                              })
                          .then(Mono.defer(work))
                          .contextWrite(inFlight::putIn))
              .singleOrEmpty();
        });
  }

  private SegmentOutcome outcome(
      SegmentId segment,
      Action action,
      long crc,
      long bytes,
      long startedNanos,
      DownloadResult download) {
    return new SegmentOutcome(
        segment,
        action,
        crc,
        bytes,
        Duration.ofNanos(System.nanoTime() - startedNanos),
        Optional.ofNullable(download));
  }

  private SegmentPaths paths(SegmentId segment) {
    return new SegmentPaths(dataDir, segment);
  }

  private static boolean isTableName(String name) {
    try {
      TableNameWithType.parse(name);
      return true;
    } catch (InvalidRequestException e) {
      return false;
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }

  /**
   * File-system work, on the scheduler; I/O failures become {@link SegmentWriteException}. Counted
   * in the operation's {@link DiskWork} until it returned: a cancel does not stop it.
   */
  private <T> Mono<T> blocking(IoCallable<T> work) {
    return DiskWork.blocking(scheduler, () -> io(work));
  }

  /** Runs file-system work here; I/O failures become {@link SegmentWriteException}. */
  private <T> T io(IoCallable<T> work) {
    try {
      return work.call();
    } catch (IOException | UncheckedIOException e) {
      throw new SegmentWriteException(
          null, "file system error under " + dataDir + ": " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface IoCallable<T> {
    T call() throws IOException;
  }
}
