package io.segmenttransfer.core.local;

import java.time.Duration;

/**
 * Limits and waits of a server's data directory.
 *
 * @param maxParallelDownloads downloads running at once on this server (Pinot's {@code
 *     max.parallel.segment.downloads}); 0 means no limit
 * @param maxParallelDownloadsPerTable downloads running at once per table; 0 means no limit
 * @param committingTimeout how long a COMMITTING segment is waited for (a completed status or an
 *     ONLINE peer) before giving up
 * @param committingPollInterval how often the metadata and the peers are looked at meanwhile
 */
public record DataDirectoryConfig(
    int maxParallelDownloads,
    int maxParallelDownloadsPerTable,
    Duration committingTimeout,
    Duration committingPollInterval) {

  public static final int DEFAULT_MAX_PARALLEL_DOWNLOADS = 4;
  public static final int DEFAULT_MAX_PARALLEL_DOWNLOADS_PER_TABLE = 0;
  public static final Duration DEFAULT_COMMITTING_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_COMMITTING_POLL_INTERVAL = Duration.ofSeconds(2);

  public DataDirectoryConfig {
    if (maxParallelDownloads < 0 || maxParallelDownloadsPerTable < 0) {
      throw new IllegalArgumentException(
          "download limits must be 0 (none) or positive: "
              + maxParallelDownloads
              + ", "
              + maxParallelDownloadsPerTable);
    }
    if (committingTimeout == null
        || committingTimeout.isNegative()
        || committingPollInterval == null
        || committingPollInterval.isZero()
        || committingPollInterval.isNegative()) {
      throw new IllegalArgumentException(
          "committing timeout must be >= 0 and poll interval > 0: "
              + committingTimeout
              + ", "
              + committingPollInterval);
    }
  }

  public static DataDirectoryConfig defaults() {
    return new DataDirectoryConfig(
        DEFAULT_MAX_PARALLEL_DOWNLOADS,
        DEFAULT_MAX_PARALLEL_DOWNLOADS_PER_TABLE,
        DEFAULT_COMMITTING_TIMEOUT,
        DEFAULT_COMMITTING_POLL_INTERVAL);
  }

  public DataDirectoryConfig withLimits(int server, int perTable) {
    return new DataDirectoryConfig(server, perTable, committingTimeout, committingPollInterval);
  }

  public DataDirectoryConfig withCommittingWait(Duration timeout, Duration pollInterval) {
    return new DataDirectoryConfig(
        maxParallelDownloads, maxParallelDownloadsPerTable, timeout, pollInterval);
  }
}
