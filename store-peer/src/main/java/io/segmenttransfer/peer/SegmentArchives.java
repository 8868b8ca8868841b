package io.segmenttransfer.peer;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.peer.internal.ArchiveCache;
import io.segmenttransfer.peer.internal.SegmentArchiveProducer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * A local segment as an archive stream: the same deterministic bytes a peer serves (format v1),
 * for uploading a server's copy to the deep store.
 */
public final class SegmentArchives {

  private SegmentArchives() {}

  /**
   * The archive's chunks, built on demand on {@code scheduler} (directory walk, file reads and
   * compression block). Completes after the last chunk; errors with the I/O failure. Buffers are
   * new and belong to the subscriber.
   */
  public static Flux<ByteBuffer> stream(LocalSegment segment, Codec codec, Scheduler scheduler) {
    return stream(segment, codec, scheduler, () -> null);
  }

  /** With a copy of every chunk going to a cache writer, opened when the stream starts (null for none). */
  static Flux<ByteBuffer> stream(LocalSegment segment, Codec codec, Scheduler scheduler,
      Callable<ArchiveCache.Writer> cacheWriter) {
    return Flux.<ByteBuffer, SegmentArchiveProducer>generate(
            () -> new SegmentArchiveProducer(segment, codec, cacheWriter.call()),
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
