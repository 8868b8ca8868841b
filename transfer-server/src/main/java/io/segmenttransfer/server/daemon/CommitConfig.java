package io.segmenttransfer.server.daemon;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.time.Duration;
import java.util.Locale;

/**
 * How a server commits the segments it built ({@code POST /segments/{t}/{s}/commit}) and uploads
 * them afterwards.
 *
 * @param protocol {@link Protocol#SPLIT}: metadata first ({@code segmentCommitEndWithMetadata}),
 *     the archive uploaded to the deep store in the background; {@link Protocol#LEGACY}: the
 *     archive to the controller ({@code segmentUpload}), then {@code segmentCommitEnd}, for an
 *     older controller
 * @param deadline how long one commit may keep asking the controller (HOLD, NOT_LEADER, FAILED and
 *     unreachable are retried within it) before it is answered as failed
 * @param holdWait the wait after a HOLD before asking again; Pinot asks servers to come back within
 *     3 s
 * @param controllerRetry backoff after FAILED, NOT_LEADER and transport errors (its attempts are
 *     ignored: the deadline bounds the retries)
 * @param uploadConcurrency deep-store uploads running at once after commits; more are queued
 * @param uploadRetry tries of one upload (and of recording its URL) before it is given up, leaving
 *     the segment to peers until the controller's repair task uploads it
 */
public record CommitConfig(
    Protocol protocol,
    Duration deadline,
    Duration holdWait,
    RetryPolicy controllerRetry,
    int uploadConcurrency,
    RetryPolicy uploadRetry) {

  /** Which form of Pinot's split commit the controller speaks. */
  public enum Protocol {
    SPLIT,
    LEGACY;

    /** {@code split} or {@code legacy}, any case. */
    public static Protocol parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new InvalidRequestException(
            null, "completionProtocol must be split or legacy, was '" + value + "'");
      }
    }
  }

  public static final Protocol DEFAULT_PROTOCOL = Protocol.SPLIT;
  public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);
  public static final Duration DEFAULT_HOLD_WAIT = Duration.ofSeconds(2);
  public static final RetryPolicy DEFAULT_CONTROLLER_RETRY =
      new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(200), 2, Duration.ofSeconds(10), 0.2);
  public static final int DEFAULT_UPLOAD_CONCURRENCY = 2;
  public static final RetryPolicy DEFAULT_UPLOAD_RETRY =
      new RetryPolicy(5, Duration.ofSeconds(1), 3, Duration.ofMinutes(1), 0.2);

  public CommitConfig {
    if (protocol == null || controllerRetry == null || uploadRetry == null) {
      throw new InvalidRequestException(null, "commit settings need a protocol and retry policies");
    }
    if (deadline == null || deadline.isZero() || deadline.isNegative()) {
      throw new InvalidRequestException(null, "commitDeadline must be positive, was " + deadline);
    }
    if (holdWait == null
        || holdWait.isNegative()
        || holdWait.compareTo(Duration.ofSeconds(3)) > 0) {
      throw new InvalidRequestException(
          null, "the wait after HOLD must be within 0..3s (Pinot's rule), was " + holdWait);
    }
    if (uploadConcurrency < 1) {
      throw new InvalidRequestException(
          null, "uploadConcurrency must be at least 1, was " + uploadConcurrency);
    }
  }

  public static CommitConfig defaults() {
    return new CommitConfig(
        DEFAULT_PROTOCOL,
        DEFAULT_DEADLINE,
        DEFAULT_HOLD_WAIT,
        DEFAULT_CONTROLLER_RETRY,
        DEFAULT_UPLOAD_CONCURRENCY,
        DEFAULT_UPLOAD_RETRY);
  }

  public CommitConfig withProtocol(Protocol protocol) {
    return new CommitConfig(
        protocol, deadline, holdWait, controllerRetry, uploadConcurrency, uploadRetry);
  }

  public CommitConfig withDeadline(Duration deadline) {
    return new CommitConfig(
        protocol, deadline, holdWait, controllerRetry, uploadConcurrency, uploadRetry);
  }

  public CommitConfig withRetries(
      Duration holdWait, RetryPolicy controllerRetry, RetryPolicy uploadRetry) {
    return new CommitConfig(
        protocol, deadline, holdWait, controllerRetry, uploadConcurrency, uploadRetry);
  }

  public CommitConfig withUploadConcurrency(int uploadConcurrency) {
    return new CommitConfig(
        protocol, deadline, holdWait, controllerRetry, uploadConcurrency, uploadRetry);
  }
}
