package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.transfer.DownloadResult;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code load} and {@code reload} report: with {@code --json}, exactly these fields. */
record OutcomeSummary(
    String table,
    String segmentName,
    String action,
    long crc,
    long bytes,
    long millis,
    int attempts,
    Map<String, Long> bytesBySource,
    int restarts)
    implements OutputOptions.PlainSummary {

  static OutcomeSummary of(SegmentOutcome outcome) {
    Map<String, Long> bySource = new LinkedHashMap<>();
    outcome
        .download()
        .map(DownloadResult::bytesBySource)
        .orElse(Map.of())
        .forEach((URI uri, Long bytes) -> bySource.put(uri.toString(), bytes));
    return new OutcomeSummary(
        outcome.segment().table().toString(),
        outcome.segment().segmentName(),
        outcome.action().label(),
        outcome.crc(),
        outcome.bytes(),
        outcome.duration().toMillis(),
        outcome.attempts(),
        bySource,
        outcome.download().map(DownloadResult::restarts).orElse(0));
  }

  @Override
  public String text() {
    StringBuilder text =
        new StringBuilder(
            String.format(
                "%s %s/%s: CRC %d, %,d bytes in %d ms",
                action, table, segmentName, crc, bytes, millis));
    if (attempts > 0) {
      text.append(String.format(", %d attempt%s", attempts, attempts == 1 ? "" : "s"));
      bytesBySource.forEach(
          (source, n) -> text.append(String.format("%n  %,d bytes from %s", n, source)));
    }
    return text.toString();
  }
}
