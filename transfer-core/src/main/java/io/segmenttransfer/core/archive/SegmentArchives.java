package io.segmenttransfer.core.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A segment directory as an archive stream, built in one pass with no archive file on disk: the
 * deterministic bytes of {@link SegmentArchiveProducer} (format v2: the parallel layouts by
 * default), which peers serve and servers upload to the deep store.
 */
public final class SegmentArchives {

  private SegmentArchives() {}

  /**
   * The archive's chunks, built on demand on {@code scheduler} (directory walk, file reads and
   * compression block). Completes after the last chunk; errors with the I/O failure. Buffers are
   * new and belong to the subscriber.
   */
  public static Flux<ByteBuffer> stream(
      Path directory, String segmentName, long creationTimeMs, Codec codec, Scheduler scheduler) {
    return stream(directory, segmentName, creationTimeMs, codec, scheduler, () -> null);
  }

  /** With a copy of every chunk going to a tap, opened when the stream starts (null for none). */
  public static Flux<ByteBuffer> stream(
      Path directory,
      String segmentName,
      long creationTimeMs,
      Codec codec,
      Scheduler scheduler,
      Callable<@Nullable ArchiveTap> tap) {
    return stream(
        directory,
        segmentName,
        creationTimeMs,
        codec,
        ArchiveOptions.defaults(codec),
        scheduler,
        tap);
  }

  /**
   * With the level and layout of {@code options} ({@link ArchiveOptions#defaults} above). Chunks of
   * the parallel layouts are compressed on their pool while the stream is consumed; {@code
   * scheduler} runs the directory walk, the file reads and the hand-over in order.
   */
  public static Flux<ByteBuffer> stream(
      Path directory,
      String segmentName,
      long creationTimeMs,
      Codec codec,
      ArchiveOptions options,
      Scheduler scheduler,
      Callable<@Nullable ArchiveTap> tap) {
    return Flux.<ByteBuffer, SegmentArchiveProducer>generate(
            () ->
                new SegmentArchiveProducer(
                    directory, segmentName, creationTimeMs, codec, options, tap.call()),
            (producer, sink) -> {
              try {
                ByteBuffer chunk = producer.next();
                if (chunk == null) {
                  sink.complete();
                } else {
                  sink.next(chunk);
                }
              } catch (IOException | RuntimeException e) {
                sink.error(e);
              }
              return producer;
            },
            SegmentArchiveProducer::close)
        .subscribeOn(scheduler)
        .cancelOn(scheduler);
  }
}
