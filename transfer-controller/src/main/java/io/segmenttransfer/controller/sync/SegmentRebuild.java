package io.segmenttransfer.controller.sync;

import io.segmenttransfer.controller.ArchiveJanitor;
import io.segmenttransfer.controller.ArchiveVersions;
import io.segmenttransfer.controller.ControllerState;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.DownloadUrls;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.layout.DiskWork;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * Rebuilds one segment: downloads its deep-store archive through the core pipeline into a work
 * directory (CRC checked on the way), runs the processor, records the run's hash and recomputes
 * {@code creation.meta} ({@link SegmentFiles}), archives it in one pass ({@link ArchiveFormat}),
 * writes it under a new version key ({@link DeepStoreLayout#versionedArchive}), switches the
 * metadata to it (CRC, size, download URL, refresh time, hash) in one durable change, and only then
 * deletes the archive the metadata named before. The object a record names is therefore never
 * written or half-written, and the deep store is never ahead of the metadata: a crash before the
 * switch leaves an unreferenced version (an orphan), after it the new record. A failure anywhere
 * before the switch leaves the old archive and record as they were; the work directory is removed
 * on success, error and cancel.
 */
final class SegmentRebuild {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(SegmentRebuild.class);

  /** One segment rebuilt: its archive sizes before and after. */
  record Rebuilt(long bytesBefore, long bytesAfter) {}

  private final ControllerState state;
  private final SegmentStores stores;
  private final DeepStoreLayout layout;
  private final DownloadUrls downloadUrls;
  private final ArchiveJanitor janitor;
  private final SegmentDownloader downloader;
  private final Scheduler scheduler;
  private final Clock clock;
  private final SyncStepObserver observer;

  /** Work directories made and not yet removed: close waits for them. */
  private final AtomicInteger workDirs = new AtomicInteger();

  SegmentRebuild(
      ControllerState state,
      SegmentStores stores,
      DeepStoreLayout layout,
      DownloadUrls downloadUrls,
      ArchiveJanitor janitor,
      SegmentDownloader downloader,
      Scheduler scheduler,
      Clock clock,
      SyncStepObserver observer) {
    this.state = state;
    this.stores = stores;
    this.layout = layout;
    this.downloadUrls = downloadUrls;
    this.janitor = janitor;
    this.downloader = downloader;
    this.scheduler = scheduler;
    this.clock = clock;
    this.observer = observer;
  }

  int workDirsInUse() {
    return workDirs.get();
  }

  /** Lazy. Emits the sizes once the new record is durable; errors with why, nothing changed. */
  Mono<Rebuilt> rebuild(SegmentDocument segment, RunContext run) {
    return Mono.defer(
        () -> {
          // The extraction's own cleanup after a cancel runs on after the cancel returned; it is
          // counted here, and the work directory is removed only once it has stopped.
          DiskWork disk = new DiskWork();
          return Mono.usingWhen(
              Mono.fromCallable(
                      () -> {
                        Path work = run.workDir().resolve(run.runId() + "-" + UUID.randomUUID());
                        Files.createDirectories(work);
                        workDirs.incrementAndGet();
                        return work;
                      })
                  .subscribeOn(scheduler),
              work -> rebuildIn(work, segment, run).contextWrite(disk::putIn),
              work -> disk.whenIdle().then(remove(work)),
              (work, error) -> disk.whenIdle().then(remove(work)),
              work -> disk.whenIdle().then(remove(work)));
        });
  }

  private Mono<Rebuilt> rebuildIn(Path work, SegmentDocument segment, RunContext run) {
    SegmentId id = segment.id();
    SegmentMetadata before = segment.metadata();
    ExtractionRequest request =
        ExtractionRequest.of(work, id)
            .withExpectedCrc(before.crc())
            .withCrypter(before.crypter().orElse(null));
    return downloader
        .download(request, List.of(segment.archive()), TransferListener.NONE)
        .flatMap(
            downloaded -> {
              ExtractionResult extracted = downloaded.extraction();
              ProcessorContext context =
                  new ProcessorContext(
                      id,
                      extracted.directory(),
                      work,
                      run.config(),
                      run.schema(),
                      run.tableHash(),
                      run.processorTimeout());
              return run.processor()
                  .process(context)
                  .then(
                      Mono.fromCallable(
                              () ->
                                  SegmentFiles.finish(
                                      id.segmentName(),
                                      extracted.directory(),
                                      run.processor().appliesTableConfig()
                                          ? run.tableHash()
                                          : null))
                          .subscribeOn(scheduler))
                  .doOnNext(finished -> observer.after(id, SyncStepObserver.PROCESSED))
                  .flatMap(finished -> upload(segment, run, extracted, finished));
            });
  }

  private Mono<Rebuilt> upload(
      SegmentDocument segment,
      RunContext run,
      ExtractionResult extracted,
      SegmentFiles.Finished finished) {
    SegmentId id = segment.id();
    ArchiveFormat format = run.processor().archiveFormat(extracted.codec());
    URI target = layout.versionedArchive(id, format.codec(), ArchiveVersions.next(clock));
    AtomicLong size = new AtomicLong();
    return stores
        .forUri(target)
        .write(
            target,
            format.stream(
                    extracted.directory(),
                    id.segmentName(),
                    finished.creationMeta().creationTimeMs(),
                    scheduler)
                .doOnNext(chunk -> size.addAndGet(chunk.remaining())))
        .doOnSuccess(done -> observer.after(id, SyncStepObserver.UPLOADED))
        .then(Mono.defer(() -> switchTo(segment, run, finished, target, size.get())))
        .onErrorResume(
            error ->
                // Never recorded: the version just written (if any) must not stay behind.
                janitor.delete(List.of(target)).then(Mono.error(error)))
        .flatMap(
            previous -> {
              observer.after(id, SyncStepObserver.SWITCHED);
              return janitor
                  .delete(previous.equals(target) ? List.of() : List.of(previous))
                  .thenReturn(new Rebuilt(extracted.archiveBytes(), size.get()));
            });
  }

  /**
   * The one durable change: the record now names the new archive. Refused, changing nothing, when
   * the segment was deleted or refreshed (another archive or CRC) since the run read it.
   */
  private Mono<URI> switchTo(
      SegmentDocument read,
      RunContext run,
      SegmentFiles.Finished finished,
      URI target,
      long archiveSize) {
    SegmentId id = read.id();
    return state.mutate(
        draft -> {
          SegmentDocument current = draft.table(id.table()).segments().get(id.segmentName());
          if (current == null) {
            throw new EntityNotFoundException(
                id.segmentName(), "segment was deleted during the run; left as it is");
          }
          if (!current.metadata().crcIfPresent().equals(read.metadata().crcIfPresent())
              || !java.util.Objects.equals(current.archive(), read.archive())) {
            throw new StateConflictException(
                id.segmentName(), "segment was refreshed during the run; left for the next run");
          }
          Map<String, String> fields = new LinkedHashMap<>(current.metadata().fields());
          fields.put(SegmentMetadata.CRC, Long.toString(finished.creationMeta().crc()));
          finished
              .creationMeta()
              .dataCrc()
              .ifPresentOrElse(
                  d -> fields.put("segment.data.crc", Long.toString(d)),
                  () -> fields.remove("segment.data.crc"));
          fields.put(SegmentMetadata.SIZE_IN_BYTES, Long.toString(archiveSize));
          fields.put(SegmentMetadata.DOWNLOAD_URL, downloadUrls.forArchive(id, target));
          fields.put(SegmentMetadata.REFRESH_TIME, Long.toString(clock.millis()));
          if (run.processor().appliesTableConfig()) {
            fields.put(SegmentMetadata.TABLE_CONFIG_HASH, run.tableHash());
          }
          draft.putSegment(
              new SegmentDocument(
                  new SegmentMetadata(id, fields, current.metadata().customMap()), target));
          return current.archive();
        });
  }

  /**
   * Removes a work directory; tried again a few times, since a killed processor may still be
   * letting go of files in it.
   */
  private Mono<Void> remove(Path work) {
    return Mono.<Void>fromRunnable(
            () -> {
              try {
                deleteTree(work);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .subscribeOn(scheduler)
        .retryWhen(Retry.fixedDelay(5, Duration.ofMillis(100)))
        .doOnError(
            e -> LOG.warn("could not remove the sync work directory {}: {}", work, e.toString()))
        .onErrorResume(e -> Mono.empty())
        .doFinally(signal -> workDirs.decrementAndGet());
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
