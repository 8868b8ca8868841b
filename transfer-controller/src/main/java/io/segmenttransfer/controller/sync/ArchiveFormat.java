package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.stream.TransformedStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The codec, and optionally the level, a rebuilt archive is written in.
 *
 * @param level null for the codec's default level, which gives the deterministic archive bytes
 *     peers serve (format v1 of {@code SegmentArchiveProducer}); another level is applied to the
 *     producer's plain tar stream in the same pass
 */
public record ArchiveFormat(Codec codec, @Nullable Integer level) {

  public ArchiveFormat {
    if (codec == null) {
      throw new InvalidRequestException(null, "archive format needs a codec");
    }
    if (level != null) {
      if (codec == Codec.NONE) {
        throw new InvalidRequestException(null, "a plain tar archive has no compression level");
      }
      try {
        Codecs.encoder(codec, "level check", level).close();
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(null, e.getMessage(), e);
      }
    }
  }

  /**
   * The archive of {@code directory}, built in one pass on {@code scheduler}. Buffers are new and
   * belong to the subscriber; completes after the last chunk.
   */
  Flux<ByteBuffer> stream(
      Path directory, String segmentName, long creationTimeMs, Scheduler scheduler) {
    if (level == null) {
      return SegmentArchives.stream(directory, segmentName, creationTimeMs, codec, scheduler);
    }
    return TransformedStream.apply(
        SegmentArchives.stream(directory, segmentName, creationTimeMs, Codec.NONE, scheduler),
        () -> Codecs.encoder(codec, segmentName, level));
  }

  @Override
  public String toString() {
    return codec.name().toLowerCase(java.util.Locale.ROOT) + (level == null ? "" : " " + level);
  }
}
