package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/** Archive bytes as the {@code Flux<ByteBuffer>} the extraction pipeline consumes. */
public final class ArchiveStreams {

  /** What the stores in this project emit: 256 KiB chunks. */
  public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;

  private ArchiveStreams() {}

  /**
   * The archive of a generated segment, produced as it is requested: one chunk is generated and
   * compressed per request, so a segment of any size flows through a few chunks of memory. Chunks
   * are fresh heap buffers the subscriber owns. Completes after the last archive byte; cancelling
   * stops generation and frees the encoder.
   */
  public static Flux<ByteBuffer> generated(
      SegmentSpec spec, Codec codec, int level, int chunkSize) {
    return generated(spec, codec, level, chunkSize, crc -> {});
  }

  /**
   * Like {@link #generated(SegmentSpec, Codec, int, int)}, telling {@code onCrc} the segment CRC at
   * the end.
   */
  public static Flux<ByteBuffer> generated(
      SegmentSpec spec,
      Codec codec,
      int level,
      int chunkSize,
      java.util.function.LongConsumer onCrc) {
    return Flux.generate(
        () -> new SegmentArchiveGenerator(new SyntheticSegment(spec), codec, level),
        (generator, sink) -> {
          ByteBuffer chunk = ByteBuffer.allocate(chunkSize);
          if (generator.read(chunk) < 0) {
            onCrc.accept(generator.crc());
            sink.complete();
          } else {
            sink.next(chunk.flip());
          }
          return generator;
        },
        SegmentArchiveGenerator::close);
  }

  /**
   * An archive held in memory, emitted as read-only views of {@code chunkSize} bytes: no copy, so
   * what is measured is the pipeline alone. The views may be shared by several subscriptions
   * because the pipeline only reads them.
   */
  public static Flux<ByteBuffer> inMemory(ByteBuffer archive, int chunkSize) {
    int chunks = (archive.remaining() + chunkSize - 1) / chunkSize;
    int base = archive.position();
    return Flux.range(0, chunks)
        .map(
            i -> {
              int from = base + i * chunkSize;
              int length = Math.min(chunkSize, archive.limit() - from);
              return archive.slice(from, length).asReadOnlyBuffer();
            });
  }

  /**
   * An in-memory archive as a link of {@code megabytesPerSecond} delivers it: each chunk is ready
   * once the link has carried every byte up to its end, counted from subscription, and is emitted
   * when it is ready or when it is requested, whichever comes later (a receive buffer keeps what
   * arrived early). The schedule is absolute, so timer jitter does not add up over a long read.
   */
  public static Flux<ByteBuffer> paced(
      ByteBuffer archive, int chunkSize, double megabytesPerSecond, Scheduler timer) {
    if (megabytesPerSecond <= 0) {
      throw new IllegalArgumentException("link speed must be positive, was " + megabytesPerSecond);
    }
    double nanosPerByte = 1e3 / megabytesPerSecond;
    return Flux.defer(
        () -> {
          long start = System.nanoTime();
          long[] delivered = {0};
          return inMemory(archive, chunkSize)
              .concatMap(
                  chunk -> {
                    delivered[0] += chunk.remaining();
                    long wait = start + (long) (delivered[0] * nanosPerByte) - System.nanoTime();
                    return wait <= 0
                        ? Mono.just(chunk)
                        : Mono.delay(Duration.ofNanos(wait), timer).thenReturn(chunk);
                  },
                  1);
        });
  }

  /** Reads a whole archive into one direct buffer. Blocking. */
  public static ByteBuffer load(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            file + " is too big to hold in one buffer: " + size + " bytes");
      }
      ByteBuffer buffer = ByteBuffer.allocateDirect((int) size);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new IOException(file + " shrank while being read");
        }
      }
      return buffer.flip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
