package io.segmenttransfer.core.archive;

import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.stream.ByteTransform;
import org.jspecify.annotations.Nullable;

/**
 * How our side compresses a segment archive.
 *
 * @param level the codec's compression level ({@link Codecs#encoder(Codec, String, int)} gives the
 *     ranges)
 * @param parallel the parallel layout's settings (zstd as independent frames, gzip as one member of
 *     independent chunks, compressed on every core; lz4 and plain tar have none); null for a single
 *     stream compressed on one thread, as archives were written before
 */
public record ArchiveOptions(int level, @Nullable ParallelSettings parallel) {

  /** The codec's default level, the parallel layout on every core: what our writers use. */
  public static ArchiveOptions defaults(Codec codec) {
    return new ArchiveOptions(Codecs.defaultLevel(codec), ParallelSettings.defaults());
  }

  /** The codec's default level as one single-threaded stream. */
  public static ArchiveOptions singleStream(Codec codec) {
    return new ArchiveOptions(Codecs.defaultLevel(codec), null);
  }

  public ArchiveOptions withLevel(int newLevel) {
    return new ArchiveOptions(newLevel, parallel);
  }

  /** A new compressor for {@code codec} with these options. */
  public ByteTransform newEncoder(Codec codec, String subject) {
    return parallel == null
        ? Codecs.encoder(codec, subject, level)
        : Codecs.encoder(codec, subject, level, parallel);
  }
}
