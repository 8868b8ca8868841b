package io.segmenttransfer.core.transfer;

import java.time.Duration;

/**
 * How hard the downloader tries.
 *
 * @param deepStoreRetry tries per deep-store URI
 * @param peerRetry rounds of peer discovery (each round re-reads the external view and tries every
 *     peer once)
 * @param firstByteTimeout the longest wait for a source's first bytes
 * @param idleTimeout the longest silence between two chunks of a source
 * @param deadline the longest a whole download may take, all attempts included
 * @param peerWaitTimeout how long a peers-only download (no deep-store URL, as for a segment
 *     committed while its upload is still running) keeps looking for a first ONLINE peer after the
 *     {@code peerRetry} rounds found none: the committer reports ONLINE only after the commit, so
 *     the other replicas may ask before any peer exists. Rounds go on with {@code peerRetry}'s
 *     backoff, capped at its maximum; zero gives up after the rounds, as Pinot does.
 */
public record DownloadConfig(
    RetryPolicy deepStoreRetry,
    RetryPolicy peerRetry,
    Duration firstByteTimeout,
    Duration idleTimeout,
    Duration deadline,
    Duration peerWaitTimeout) {

  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_DEADLINE = Duration.ofHours(1);
  public static final Duration DEFAULT_PEER_WAIT_TIMEOUT = Duration.ofMinutes(5);

  public DownloadConfig {
    if (deepStoreRetry == null || peerRetry == null) {
      throw new IllegalArgumentException("retry policies are required");
    }
    for (Duration d : new Duration[] {firstByteTimeout, idleTimeout, deadline}) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(
            "timeouts must be positive: "
                + firstByteTimeout
                + ", "
                + idleTimeout
                + ", "
                + deadline);
      }
    }
    if (peerWaitTimeout == null || peerWaitTimeout.isNegative()) {
      throw new IllegalArgumentException("peer wait timeout must be >= 0: " + peerWaitTimeout);
    }
  }

  public static DownloadConfig defaults() {
    return new DownloadConfig(
        RetryPolicy.DEFAULT_DEEP_STORE,
        RetryPolicy.DEFAULT_PEERS,
        DEFAULT_FIRST_BYTE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_DEADLINE,
        DEFAULT_PEER_WAIT_TIMEOUT);
  }

  public DownloadConfig withRetries(RetryPolicy deepStore, RetryPolicy peers) {
    return new DownloadConfig(
        deepStore, peers, firstByteTimeout, idleTimeout, deadline, peerWaitTimeout);
  }

  public DownloadConfig withTimeouts(Duration firstByte, Duration idle, Duration overall) {
    return new DownloadConfig(deepStoreRetry, peerRetry, firstByte, idle, overall, peerWaitTimeout);
  }

  public DownloadConfig withPeerWaitTimeout(Duration timeout) {
    return new DownloadConfig(
        deepStoreRetry, peerRetry, firstByteTimeout, idleTimeout, deadline, timeout);
  }
}
