package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.time.Duration;

/**
 * How the deep-store sync runs.
 *
 * @param interval between scheduled runs over every table (the first one interval after the start);
 *     zero (the default) leaves only on-demand runs
 * @param scheduledMode what a scheduled run takes; {@code reloadOnly} by default, so a schedule
 *     rebuilds only what servers report stale
 * @param scheduledProcessor what a scheduled run processes with
 * @param parallelism segments processed at once within a run: each holds a segment on disk in the
 *     work directory and may run a child process
 * @param processorTimeout how long the processor may take for one segment
 */
public record DeepStoreSyncConfig(
    Duration interval,
    SyncMode scheduledMode,
    ProcessorOptions scheduledProcessor,
    int parallelism,
    Duration processorTimeout) {

  public static final Duration DEFAULT_INTERVAL = Duration.ZERO;
  public static final int DEFAULT_PARALLELISM = 2;
  public static final int MAX_PARALLELISM = 64;
  public static final Duration DEFAULT_PROCESSOR_TIMEOUT = Duration.ofMinutes(30);

  public DeepStoreSyncConfig {
    if (interval == null || interval.isNegative()) {
      throw new InvalidRequestException(
          null, "deep-store sync interval must be 0 (on demand only) or positive, was " + interval);
    }
    if (scheduledMode == null) {
      scheduledMode = SyncMode.RELOAD_ONLY;
    }
    if (scheduledProcessor == null) {
      scheduledProcessor = ProcessorOptions.pinot();
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new InvalidRequestException(
          null,
          "deep-store sync parallelism must be 1-" + MAX_PARALLELISM + ", was " + parallelism);
    }
    if (processorTimeout == null || processorTimeout.isNegative() || processorTimeout.isZero()) {
      throw new InvalidRequestException(
          null, "deep-store sync processor timeout must be positive, was " + processorTimeout);
    }
  }

  public static DeepStoreSyncConfig defaults() {
    return new DeepStoreSyncConfig(
        DEFAULT_INTERVAL,
        SyncMode.RELOAD_ONLY,
        ProcessorOptions.pinot(),
        DEFAULT_PARALLELISM,
        DEFAULT_PROCESSOR_TIMEOUT);
  }

  public DeepStoreSyncConfig withInterval(Duration newInterval) {
    return new DeepStoreSyncConfig(
        newInterval, scheduledMode, scheduledProcessor, parallelism, processorTimeout);
  }

  public DeepStoreSyncConfig withSchedule(SyncMode mode, ProcessorOptions processor) {
    return new DeepStoreSyncConfig(interval, mode, processor, parallelism, processorTimeout);
  }

  public DeepStoreSyncConfig withParallelism(int newParallelism) {
    return new DeepStoreSyncConfig(
        interval, scheduledMode, scheduledProcessor, newParallelism, processorTimeout);
  }

  public DeepStoreSyncConfig withProcessorTimeout(Duration timeout) {
    return new DeepStoreSyncConfig(
        interval, scheduledMode, scheduledProcessor, parallelism, timeout);
  }
}
