package io.segmenttransfer.controller.completion;

import io.segmenttransfer.controller.ArchiveInspector;
import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.SegmentStores;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The older commit forms that carry the archive itself ({@code segmentUpload}, {@code
 * segmentCommit}) or point at one stored before ({@code segmentCommitEnd}): the archive streams
 * into the deep store under {@link DeepStoreLayout}'s key while the tar push's bounded {@link
 * ArchiveInspector} reads {@code metadata.properties} and {@code creation.meta} out of it, so
 * nothing is unpacked and an invalid archive fails the write before it completes.
 */
final class ArchiveIntake {

  /** Chunks decoded ahead of the deep-store write, as for a tar push. */
  private static final int PREFETCH = 4;

  /** An archive in the deep store and the metadata read out of it. */
  record Stored(URI location, long size, CommitMetadata metadata) {}

  private final SegmentStores stores;
  private final DeepStoreLayout layout;
  private final ArchiveLimits limits;
  private final Scheduler scheduler;

  ArchiveIntake(SegmentStores stores, URI deepStore, ArchiveLimits limits, Scheduler scheduler) {
    this.stores = stores;
    this.layout = new DeepStoreLayout(deepStore);
    this.limits = limits;
    this.scheduler = scheduler;
  }

  /**
   * Stores the archive of {@code segment}; its top-level directory must be the segment's name.
   * Emits where it went and its metadata; fails with {@code InvalidArchiveException} (nothing
   * stored) for an invalid archive.
   */
  Mono<Stored> store(SegmentId segment, Flux<ByteBuffer> archive) {
    return Mono.defer(
        () -> {
          ArchiveInspector inspector = new ArchiveInspector("commit of " + segment, limits);
          Flux<ByteBuffer> inspected =
              archive
                  .publishOn(
                      scheduler, PREFETCH) // inflating is CPU work: keep it off the event loop
                  .doOnNext(inspector::accept)
                  .concatWith(Mono.fromRunnable(inspector::finish))
                  .doFinally(signal -> inspector.close());
          return inspected
              // Held only until the first tar entry names the segment, as a tar push does.
              .bufferUntil(chunk -> inspector.segmentDirectory() != null)
              .switchOnFirst(
                  (first, all) -> {
                    if (!first.hasValue()) {
                      return all.then(Mono.<Stored>empty());
                    }
                    if (!segment.segmentName().equals(inspector.segmentDirectory())) {
                      return Mono.<Stored>error(
                          new InvalidArchiveException(
                              segment.toString(),
                              "archive holds "
                                  + inspector.segmentDirectory()
                                  + ", not "
                                  + segment.segmentName()));
                    }
                    URI location = layout.archive(segment, inspector.codec());
                    return stores
                        .forUri(location)
                        .write(location, all.concatMapIterable(chunks -> chunks))
                        .then(Mono.fromCallable(() -> stored(segment, location, inspector)));
                  })
              .next()
              .switchIfEmpty(
                  Mono.error(
                      () -> new InvalidArchiveException(segment.toString(), "empty archive")));
        });
  }

  /**
   * Reads back an archive {@link #store} wrote ({@code segmentCommitEnd}'s location): any other
   * location is refused without being read.
   */
  Mono<Stored> read(SegmentId segment, String location) {
    return Mono.defer(
        () -> {
          URI uri = URI.create(location);
          if (Arrays.stream(Codec.values())
              .map(codec -> layout.archive(segment, codec))
              .noneMatch(uri::equals)) {
            return Mono.error(
                new InvalidRequestException(
                    segment.toString(),
                    "location " + location + " is not where segmentUpload stores " + segment));
          }
          ArchiveInspector inspector = new ArchiveInspector("commit of " + segment, limits);
          return stores
              .forUri(uri)
              .read(uri, 0)
              .publishOn(scheduler, PREFETCH)
              .doOnNext(inspector::accept)
              .then(
                  Mono.fromCallable(
                      () -> {
                        inspector.finish();
                        if (!segment.segmentName().equals(inspector.segmentDirectory())) {
                          throw new InvalidArchiveException(
                              segment.toString(), "archive holds " + inspector.segmentDirectory());
                        }
                        return stored(segment, uri, inspector);
                      }))
              .doFinally(signal -> inspector.close());
        });
  }

  private static Stored stored(SegmentId segment, URI location, ArchiveInspector inspector) {
    return new Stored(
        location,
        inspector.size(),
        CommitMetadata.of(
            segment.segmentName(), inspector.metadataProperties(), inspector.creationMeta()));
  }
}
