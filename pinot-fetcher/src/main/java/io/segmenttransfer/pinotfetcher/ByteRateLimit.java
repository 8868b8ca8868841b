package io.segmenttransfer.pinotfetcher;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Pinot's {@code maxStreamRateInByte} for one download: chunks pass no faster than the rate, shared
 * by every attempt of that download. Each chunk is let through when the bytes before it are paid
 * for (a timer, no thread waits), and the demand upstream waits with it, so a limited download also
 * reads no faster from its source.
 */
final class ByteRateLimit {

  private final double nanosPerByte;
  private long nextFreeNanos = now();

  private ByteRateLimit(long bytesPerSecond) {
    this.nanosPerByte = 1e9 / bytesPerSecond;
  }

  /**
   * A limit, or none for Pinot's values that mean none: {@code -1} ({@code
   * TarCompressionUtils.NO_DISK_WRITE_RATE_LIMIT}) and {@code 0} ({@code
   * SYNC_DISK_WRITE_WITH_UPSTREAM_RATE}: write as fast as the source delivers, forcing each write;
   * this pipeline forces every file before its segment is moved into place).
   */
  static ByteRateLimit of(long bytesPerSecond) {
    return bytesPerSecond <= 0 ? null : new ByteRateLimit(bytesPerSecond);
  }

  Flux<ByteBuffer> apply(Flux<ByteBuffer> chunks) {
    // One chunk at a time: the delay of one chunk holds back the demand for the next.
    return chunks.concatMap(
        chunk -> {
          long wait = reserve(chunk.remaining());
          return wait <= 0
              ? Mono.just(chunk)
              : Mono.delay(Duration.ofNanos(wait)).thenReturn(chunk);
        },
        1);
  }

  /** The clock of the scheduler the waits run on (so virtual time in tests moves both). */
  private static long now() {
    return Schedulers.parallel().now(TimeUnit.NANOSECONDS);
  }

  /** Books {@code bytes} and returns how long to wait before they may pass. */
  private synchronized long reserve(int bytes) {
    long now = now();
    long start = Math.max(now, nextFreeNanos);
    nextFreeNanos = start + (long) (bytes * nanosPerByte);
    return start - now;
  }
}
