package io.segmenttransfer.controller.completion;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.time.Duration;

/**
 * How the controller runs the segment completion protocol.
 *
 * @param holdWindow how long replicas reporting {@code segmentConsumed} are held before a committer
 *     is elected when not every expected replica (the table's replication) has reported; Pinot's 3
 *     s, the "ask again within 3 s" of {@code HOLD}
 * @param buildTime the time an elected committer has to start and finish its commit (Pinot's {@code
 *     buildTimeSec}); past it, another replica is elected on the next report
 * @param maxBuildTime the longest {@code extendBuildTime} may stretch a commit, counted from the
 *     election (Pinot's 30-minute cap)
 * @param maxMetadataBytes what the two files of a commit ({@code metadata.properties}, {@code
 *     creation.meta}) may hold together: real ones are a few KiB
 */
public record CompletionConfig(
    Duration holdWindow, Duration buildTime, Duration maxBuildTime, int maxMetadataBytes) {

  public static final Duration DEFAULT_HOLD_WINDOW = Duration.ofSeconds(3);

  /** Pinot's default segment commit time. */
  public static final Duration DEFAULT_BUILD_TIME = Duration.ofSeconds(120);

  public static final Duration DEFAULT_MAX_BUILD_TIME = Duration.ofMinutes(30);
  public static final int DEFAULT_MAX_METADATA_BYTES = 8 * 1024 * 1024;

  public CompletionConfig {
    if (holdWindow == null || holdWindow.isNegative()) {
      throw new InvalidRequestException(
          null, "completion hold window must be zero or more, was " + holdWindow);
    }
    if (buildTime == null || buildTime.isNegative() || buildTime.isZero()) {
      throw new InvalidRequestException(
          null, "completion build time must be positive, was " + buildTime);
    }
    if (maxBuildTime == null || maxBuildTime.compareTo(buildTime) < 0) {
      throw new InvalidRequestException(
          null, "completion max build time must be at least the build time, was " + maxBuildTime);
    }
    if (maxMetadataBytes < 24) {
      throw new InvalidRequestException(
          null, "completion metadata limit must be at least 24 bytes, was " + maxMetadataBytes);
    }
  }

  public static CompletionConfig defaults() {
    return new CompletionConfig(
        DEFAULT_HOLD_WINDOW,
        DEFAULT_BUILD_TIME,
        DEFAULT_MAX_BUILD_TIME,
        DEFAULT_MAX_METADATA_BYTES);
  }

  public CompletionConfig withHoldWindow(Duration window) {
    return new CompletionConfig(window, buildTime, maxBuildTime, maxMetadataBytes);
  }

  public CompletionConfig withBuildTime(Duration time) {
    return new CompletionConfig(
        holdWindow, time, maxBuildTime.compareTo(time) < 0 ? time : maxBuildTime, maxMetadataBytes);
  }
}
