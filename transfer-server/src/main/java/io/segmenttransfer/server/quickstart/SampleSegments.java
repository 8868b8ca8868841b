package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Sample segments for the quickstart: hourly segments of a click-stream table, each written as a
 * Pinot v3 segment directory (see {@link SampleSegmentWriter}) and packed into a {@code .tar.gz}
 * with the same deterministic archive a peer would serve.
 */
public final class SampleSegments {

  /** The first segment's start: 2023-11-14T22:13:20Z, like the Pinot fixtures. */
  static final long FIRST_HOUR_MS = 1_700_000_000_000L;

  static final long HOUR_MS = 3_600_000L;

  private SampleSegments() {}

  /**
   * Writes {@code count} segments of about {@code bytesEach} bytes under {@code dir} ({@code
   * <dir>/<segment>/} and {@code <dir>/<segment>.tar.gz}), two at a time on {@code scheduler} (file
   * writes and compression block). Emits each segment once its archive is complete, in no
   * particular order; errors with the first I/O failure.
   */
  public static Flux<SampleSegment> write(
      Path dir, TableNameWithType table, int count, long bytesEach, Scheduler scheduler) {
    return Flux.range(0, count).flatMap(i -> writeOne(dir, table, i, bytesEach, scheduler), 2);
  }

  private static Mono<SampleSegment> writeOne(
      Path dir, TableNameWithType table, int sequence, long bytes, Scheduler scheduler) {
    long start = FIRST_HOUR_MS + sequence * HOUR_MS;
    String name = table.rawName() + "_" + start + "_" + (start + HOUR_MS - 1) + "_" + sequence;
    SegmentId id = new SegmentId(table, name);
    Path segmentDir = dir.resolve(name);
    Path archive = dir.resolve(name + "." + Codec.GZIP.extension());
    return Mono.fromCallable(
            () -> new SampleSegmentWriter(id, start, HOUR_MS, bytes, sequence).write(segmentDir))
        .subscribeOn(scheduler)
        .flatMap(
            meta ->
                new LocalFileSegmentStore(scheduler)
                    .write(
                        archive.toUri(),
                        new LocalSegment(id, segmentDir, meta).archive(Codec.GZIP, scheduler))
                    .then(
                        Mono.fromCallable(
                                () ->
                                    new SampleSegment(
                                        id,
                                        segmentDir,
                                        archive,
                                        meta.crc(),
                                        sizeOf(segmentDir),
                                        Files.size(archive)))
                            .subscribeOn(scheduler)));
  }

  /**
   * Writes one segment directory at {@code <dir>/<segment name>/}, as a realtime server builds it
   * from the rows it consumed, with no archive (committing it builds one): the hour {@code
   * sequence} after the first sample's, {@code bytes} bytes or so. Blocking work runs on {@code
   * scheduler}.
   */
  public static Mono<BuiltSegment> writeBuilt(
      Path dir, SegmentId segment, int sequence, long bytes, Scheduler scheduler) {
    return Mono.fromCallable(
            () -> {
              SampleSegmentWriter writer =
                  new SampleSegmentWriter(
                      segment, FIRST_HOUR_MS + sequence * HOUR_MS, HOUR_MS, bytes, sequence);
              Path segmentDir = dir.resolve(segment.segmentName());
              CreationMeta meta = writer.write(segmentDir);
              return new BuiltSegment(
                  segment, segmentDir, meta.crc(), sizeOf(segmentDir), writer.docs());
            })
        .subscribeOn(scheduler);
  }

  /**
   * The Pinot segment CRC of a segment directory computed from its files, not read from its {@code
   * creation.meta}: one running Adler-32 over every regular file but {@code creation.meta} and
   * {@code *.crc}, in sorted relative path order. Blocking: reads every byte once.
   */
  public static long crcOf(Path segmentDir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(segmentDir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(
                  file ->
                      !file.getFileName().toString().equals(CreationMeta.FILE_NAME)
                          && !file.getFileName().toString().endsWith(".crc"))
              .sorted((a, b) -> relative(segmentDir, a).compareTo(relative(segmentDir, b)))
              .toList();
    }
    Adler32 crc = new Adler32();
    byte[] buffer = new byte[256 * 1024];
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          crc.update(buffer, 0, n);
        }
      }
    }
    return crc.getValue();
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }

  private static long sizeOf(Path dir) {
    try (var files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              file -> {
                try {
                  return Files.size(file);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
