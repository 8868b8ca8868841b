package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a transfer reports while it runs, for metrics, logs and progress bars. Listeners are called
 * on the transfer's threads and must not block.
 */
public sealed interface TransferEvent {

  SegmentId segment();

  /**
   * An attempt to read from {@code source}, starting at byte {@code offset} (non-zero when
   * resuming).
   */
  record AttemptStarted(SegmentId segment, URI source, int attempt, long offset)
      implements TransferEvent {}

  /** Archive bytes received so far, and the archive size when known (-1 otherwise). */
  record Progress(SegmentId segment, URI source, long bytesDone, long bytesTotal)
      implements TransferEvent {}

  /**
   * An attempt failed; the transfer goes on with the next attempt or source unless it was the last.
   */
  record AttemptFailed(SegmentId segment, URI source, int attempt, long offset, Throwable cause)
      implements TransferEvent {}

  /**
   * An operation ended.
   *
   * @param operation what ran: add, reload, remove, recover
   * @param action what it did: kept, recovered, downloaded, replaced, restored, removed, or failed
   * @param bytes bytes written to disk
   * @param attempts source attempts made
   * @param error the failure, or null
   */
  record Finished(
      SegmentId segment,
      String operation,
      String action,
      long bytes,
      int attempts,
      Duration duration,
      @Nullable Throwable error)
      implements TransferEvent {}
}
