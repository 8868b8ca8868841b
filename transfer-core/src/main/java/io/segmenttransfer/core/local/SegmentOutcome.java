package io.segmenttransfer.core.local;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.transfer.DownloadResult;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What an operation on a segment did.
 *
 * @param crc the CRC of the copy now in place (0 after a removal)
 * @param bytes bytes written to disk
 * @param download the download, when one ran
 */
public record SegmentOutcome(
    SegmentId segment,
    Action action,
    long crc,
    long bytes,
    Duration duration,
    Optional<DownloadResult> download) {

  public enum Action {
    /** The local copy already had the expected CRC: nothing downloaded. */
    KEPT,
    /** A copy left by an interrupted operation was restored and has the expected CRC. */
    RECOVERED,
    /** There was no copy: downloaded. */
    DOWNLOADED,
    /** A copy with another CRC was replaced by a download. */
    REPLACED,
    /** A reload kept the same bytes (copied back from the backup). */
    RELOADED,
    /** The segment and its leftovers were deleted. */
    REMOVED,
    /** A segment directory from elsewhere on this machine (a committed segment) was copied in. */
    ADOPTED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public int attempts() {
    return download.map(DownloadResult::attempts).orElse(0);
  }
}
