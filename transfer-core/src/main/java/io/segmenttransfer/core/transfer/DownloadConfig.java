package io.segmenttransfer.core.transfer;

import java.time.Duration;

/**
 * How hard the downloader tries.
 *
 * @param deepStoreRetry tries per deep-store URI
 * @param peerRetry rounds of peer discovery (each round re-reads the external view and tries every peer once)
 * @param firstByteTimeout the longest wait for a source's first bytes
 * @param idleTimeout the longest silence between two chunks of a source
 * @param deadline the longest a whole download may take, all attempts included
 */
public record DownloadConfig(
    RetryPolicy deepStoreRetry, RetryPolicy peerRetry, Duration firstByteTimeout, Duration idleTimeout, Duration deadline) {

  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_DEADLINE = Duration.ofHours(1);

  public DownloadConfig {
    if (deepStoreRetry == null || peerRetry == null) {
      throw new IllegalArgumentException("retry policies are required");
    }
    for (Duration d : new Duration[] {firstByteTimeout, idleTimeout, deadline}) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("timeouts must be positive: " + firstByteTimeout + ", " + idleTimeout + ", " + deadline);
      }
    }
  }

  public static DownloadConfig defaults() {
    return new DownloadConfig(RetryPolicy.DEFAULT_DEEP_STORE, RetryPolicy.DEFAULT_PEERS,
        DEFAULT_FIRST_BYTE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_DEADLINE);
  }

  public DownloadConfig withRetries(RetryPolicy deepStore, RetryPolicy peers) {
    return new DownloadConfig(deepStore, peers, firstByteTimeout, idleTimeout, deadline);
  }

  public DownloadConfig withTimeouts(Duration firstByte, Duration idle, Duration overall) {
    return new DownloadConfig(deepStoreRetry, peerRetry, firstByte, idle, overall);
  }
}
