package io.segmenttransfer.core.local;

import io.segmenttransfer.core.archive.ArchiveOptions;
import io.segmenttransfer.core.archive.ArchiveTap;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A segment in service on this server: where it is and its {@code creation.meta} (CRC, creation
 * time).
 */
public record LocalSegment(SegmentId segment, Path directory, CreationMeta creationMeta) {

  public long crc() {
    return creationMeta.crc();
  }

  /**
   * This segment as an archive, built on demand on {@code scheduler} in one pass (see {@link
   * SegmentArchives#stream}); the caller holds the segment's read lock while it is consumed.
   */
  public Flux<ByteBuffer> archive(Codec codec, Scheduler scheduler) {
    return archive(codec, scheduler, () -> null);
  }

  /** The same, with a copy of every chunk going to a tap opened when the stream starts. */
  public Flux<ByteBuffer> archive(
      Codec codec, Scheduler scheduler, Callable<@Nullable ArchiveTap> tap) {
    return archive(codec, ArchiveOptions.defaults(codec), scheduler, tap);
  }

  /** The same at the level and layout of {@code options}. */
  public Flux<ByteBuffer> archive(
      Codec codec,
      ArchiveOptions options,
      Scheduler scheduler,
      Callable<@Nullable ArchiveTap> tap) {
    return SegmentArchives.stream(
        directory,
        segment.segmentName(),
        creationMeta.creationTimeMs(),
        codec,
        options,
        scheduler,
        tap);
  }
}
