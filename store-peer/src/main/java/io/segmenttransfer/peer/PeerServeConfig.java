package io.segmenttransfer.peer;

import io.segmenttransfer.core.archive.Codec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * How a server serves its segments to peers ({@link PeerSegmentHandler}).
 *
 * @param maxConcurrentUploads archive responses (GET) served at once, server-wide; more are
 *     answered 503 with {@code Retry-After}, which clients retry
 * @param bytesPerSecond server-wide cap on archive bytes sent per second; empty for no cap
 * @param cacheDirectory where built archives are kept so that {@code Range} requests (resumed
 *     downloads) are served from the same bytes
 * @param maxCacheBytes total size of cached archives; least recently used ones are evicted beyond
 *     it
 * @param retryAfter what a 503 tells clients to wait
 * @param defaultCodec the compression served when the client asks for none (Pinot peers expect
 *     gzip)
 */
public record PeerServeConfig(
    int maxConcurrentUploads,
    OptionalLong bytesPerSecond,
    Path cacheDirectory,
    long maxCacheBytes,
    Duration retryAfter,
    Codec defaultCodec) {

  public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 8;
  public static final long DEFAULT_MAX_CACHE_BYTES = 4L * 1024 * 1024 * 1024;
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
  public static final Codec DEFAULT_CODEC = Codec.GZIP;

  public PeerServeConfig {
    if (maxConcurrentUploads < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentUploads must be at least 1, was " + maxConcurrentUploads);
    }
    bytesPerSecond = bytesPerSecond == null ? OptionalLong.empty() : bytesPerSecond;
    if (bytesPerSecond.isPresent() && bytesPerSecond.getAsLong() < 1) {
      throw new IllegalArgumentException(
          "bytesPerSecond must be positive when set, was " + bytesPerSecond.getAsLong());
    }
    if (cacheDirectory == null) {
      throw new IllegalArgumentException("cacheDirectory is required");
    }
    if (maxCacheBytes < 0) {
      throw new IllegalArgumentException(
          "maxCacheBytes must not be negative, was " + maxCacheBytes);
    }
    if (retryAfter == null || retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
    }
    if (defaultCodec == null) {
      throw new IllegalArgumentException("defaultCodec is required");
    }
  }

  public static PeerServeConfig defaults(Path cacheDirectory) {
    return new PeerServeConfig(
        DEFAULT_MAX_CONCURRENT_UPLOADS,
        OptionalLong.empty(),
        cacheDirectory,
        DEFAULT_MAX_CACHE_BYTES,
        DEFAULT_RETRY_AFTER,
        DEFAULT_CODEC);
  }

  public PeerServeConfig withMaxConcurrentUploads(int uploads) {
    return new PeerServeConfig(
        uploads, bytesPerSecond, cacheDirectory, maxCacheBytes, retryAfter, defaultCodec);
  }

  public PeerServeConfig withBytesPerSecond(long rate) {
    return new PeerServeConfig(
        maxConcurrentUploads,
        OptionalLong.of(rate),
        cacheDirectory,
        maxCacheBytes,
        retryAfter,
        defaultCodec);
  }

  public PeerServeConfig withMaxCacheBytes(long bytes) {
    return new PeerServeConfig(
        maxConcurrentUploads, bytesPerSecond, cacheDirectory, bytes, retryAfter, defaultCodec);
  }

  public PeerServeConfig withRetryAfter(Duration wait) {
    return new PeerServeConfig(
        maxConcurrentUploads, bytesPerSecond, cacheDirectory, maxCacheBytes, wait, defaultCodec);
  }
}
