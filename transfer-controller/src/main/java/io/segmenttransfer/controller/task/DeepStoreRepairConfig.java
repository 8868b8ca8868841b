package io.segmenttransfer.controller.task;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.time.Duration;

/**
 * How the {@link DeepStoreRepairTask} runs.
 *
 * @param interval between scheduled runs (the first comes one interval after the start); zero
 *     disables the schedule, leaving only on-demand runs
 * @param uploadTimeout the {@code uploadTimeoutMs} a replica gets for one upload; the controller
 *     waits a little longer for its answer, so the replica's own timeout (504) arrives first
 * @param maxConcurrentUploads replicas uploading at once in one run: each upload streams a whole
 *     segment from a server to the deep store, so a run over many missing segments must not ask for
 *     all of them at once
 */
public record DeepStoreRepairConfig(
    Duration interval, Duration uploadTimeout, int maxConcurrentUploads) {

  /**
   * Pinot runs RealtimeSegmentValidationManager hourly; repairs are cheap when nothing is missing,
   * so more often.
   */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /** The server endpoint's own default ({@code uploadTimeoutMs} 600 000). */
  public static final Duration DEFAULT_UPLOAD_TIMEOUT = Duration.ofMinutes(10);

  public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 4;

  public DeepStoreRepairConfig {
    if (interval == null || interval.isNegative()) {
      throw new InvalidRequestException(
          null, "deep-store repair interval must be 0 (disabled) or positive, was " + interval);
    }
    if (uploadTimeout == null
        || uploadTimeout.isNegative()
        || uploadTimeout.isZero()
        || uploadTimeout.toMillis() == 0) {
      throw new InvalidRequestException(
          null, "deep-store repair upload timeout must be at least 1 ms, was " + uploadTimeout);
    }
    if (maxConcurrentUploads < 1) {
      throw new InvalidRequestException(
          null,
          "deep-store repair needs at least 1 concurrent upload, was " + maxConcurrentUploads);
    }
  }

  public static DeepStoreRepairConfig defaults() {
    return new DeepStoreRepairConfig(
        DEFAULT_INTERVAL, DEFAULT_UPLOAD_TIMEOUT, DEFAULT_MAX_CONCURRENT_UPLOADS);
  }

  public DeepStoreRepairConfig withInterval(Duration newInterval) {
    return new DeepStoreRepairConfig(newInterval, uploadTimeout, maxConcurrentUploads);
  }

  public DeepStoreRepairConfig withUploadTimeout(Duration timeout) {
    return new DeepStoreRepairConfig(interval, timeout, maxConcurrentUploads);
  }

  public DeepStoreRepairConfig withMaxConcurrentUploads(int max) {
    return new DeepStoreRepairConfig(interval, uploadTimeout, max);
  }
}
