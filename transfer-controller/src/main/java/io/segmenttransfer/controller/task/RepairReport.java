package io.segmenttransfer.controller.task;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one run of the {@link DeepStoreRepairTask} did, as {@code GET /periodictask/run} answers it.
 * Segments are named {@code <tableNameWithType>/<segment>}.
 *
 * @param tables the tables the run covered; null for every table
 * @param examined completed segments looked at
 * @param missing those of them without a deep-store copy ({@code segment.download.url} empty or
 *     absent)
 * @param repaired uploaded by a replica and recorded
 * @param failed asked, but the upload or the recording failed: tried again next run
 * @param skipped not asked: no ONLINE replica, an unreadable record, or the segment changed
 *     meanwhile
 * @param alreadyQueued missing but still being repaired by an earlier run: not asked twice
 * @param pending repairs still queued or running when the run ended (the task's queue gauge)
 */
public record RepairReport(
    @Nullable List<String> tables,
    int examined,
    int missing,
    List<Repaired> repaired,
    List<Failed> failed,
    List<Skipped> skipped,
    List<String> alreadyQueued,
    long durationMs,
    int pending) {

  public RepairReport {
    repaired = List.copyOf(repaired);
    failed = List.copyOf(failed);
    skipped = List.copyOf(skipped);
    alreadyQueued = List.copyOf(alreadyQueued);
  }

  /**
   * @param crcFixedFrom the CRC the record had when the replica's differed; null when it agreed
   */
  public record Repaired(
      String segment, String replica, String downloadUrl, @Nullable String crcFixedFrom) {}

  public record Failed(String segment, String replica, String cause) {}

  public record Skipped(String segment, String reason) {}

  /** One line for the log: the counts, and each failure with its cause. */
  String summary() {
    StringBuilder line =
        new StringBuilder("examined ")
            .append(examined)
            .append(" completed segments")
            .append(tables == null ? "" : " of " + tables)
            .append(", ")
            .append(missing)
            .append(" missing from the deep store: ")
            .append(repaired.size())
            .append(" repaired, ")
            .append(failed.size())
            .append(" failed, ")
            .append(skipped.size())
            .append(" skipped, ")
            .append(alreadyQueued.size())
            .append(" already queued (")
            .append(durationMs)
            .append(" ms)");
    failed.forEach(
        f ->
            line.append("; failed ")
                .append(f.segment())
                .append(" on ")
                .append(f.replica())
                .append(": ")
                .append(f.cause()));
    skipped.forEach(
        s -> line.append("; skipped ").append(s.segment()).append(": ").append(s.reason()));
    return line.toString();
  }
}
