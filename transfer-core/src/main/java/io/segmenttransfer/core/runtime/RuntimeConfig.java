package io.segmenttransfer.core.runtime;

import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.transfer.DownloadConfig;

/**
 * How a {@link TransferRuntime} is sized: its blocking-I/O threads and the pipeline's and
 * downloader's settings.
 *
 * @param ioThreads threads of the bounded scheduler that reads files, decompresses and writes; each
 *     transfer keeps about two of them busy (decoder, writer) plus a local store's reads
 * @param queuedTasks tasks that may wait for one of those threads before new ones are refused
 */
public record RuntimeConfig(
    int ioThreads, int queuedTasks, ExtractionConfig extraction, DownloadConfig download) {

  /**
   * Enough for Pinot's default of 4 parallel downloads at about two busy threads each, and more on
   * bigger machines.
   */
  public static final int DEFAULT_IO_THREADS =
      Math.max(8, 4 * Runtime.getRuntime().availableProcessors());

  public static final int DEFAULT_QUEUED_TASKS = 10_000;

  public RuntimeConfig {
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
    }
    if (queuedTasks < 1) {
      throw new IllegalArgumentException("queuedTasks must be at least 1, was " + queuedTasks);
    }
    if (extraction == null || download == null) {
      throw new IllegalArgumentException("extraction and download settings are required");
    }
  }

  public static RuntimeConfig defaults() {
    return new RuntimeConfig(
        DEFAULT_IO_THREADS,
        DEFAULT_QUEUED_TASKS,
        ExtractionConfig.defaults(),
        DownloadConfig.defaults());
  }

  /**
   * Threads for {@code parallelTransfers} transfers at once, when more run than the default allows
   * for.
   */
  public RuntimeConfig forParallelTransfers(int parallelTransfers) {
    return new RuntimeConfig(
        Math.max(DEFAULT_IO_THREADS, 4 * parallelTransfers + 4), queuedTasks, extraction, download);
  }

  public RuntimeConfig withDownload(DownloadConfig download) {
    return new RuntimeConfig(ioThreads, queuedTasks, extraction, download);
  }
}
