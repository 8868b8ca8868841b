package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.server.daemon.SourceKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code bootstrap} reports: with {@code --json}, exactly these fields.
 *
 * @param bytes bytes written to disk by the downloads (kept segments add nothing)
 * @param archiveBytes archive bytes fetched from all sources, retried ranges included
 * @param millis wall time of the whole bootstrap, recovery included
 * @param megabytesPerSecond {@code bytes} per second of {@code millis}, in MB (10^6 bytes)
 * @param sources per source kind ({@link SourceKind}), how many segments got bytes from it
 * @param retries source attempts beyond the first of each segment
 * @param failures one line per failed segment: its name and why
 */
record BootstrapSummary(
    String table,
    String dataDir,
    int segments,
    int kept,
    int recovered,
    int downloaded,
    int replaced,
    int failed,
    long bytes,
    long archiveBytes,
    long millis,
    double megabytesPerSecond,
    Map<String, Integer> sources,
    int retries,
    List<String> failures)
    implements OutputOptions.Summary {

  /** How one segment ended: an outcome or an error. */
  record SegmentResult(SegmentId segment, SegmentOutcome outcome, Throwable error) {

    static SegmentResult of(SegmentOutcome outcome) {
      return new SegmentResult(outcome.segment(), outcome, null);
    }

    static SegmentResult failed(SegmentId segment, Throwable error) {
      return new SegmentResult(segment, null, error);
    }

    String action() {
      return outcome == null ? "failed" : outcome.action().label();
    }

    Set<String> sourceKinds() {
      Set<String> kinds = new TreeSet<>();
      if (outcome != null) {
        outcome
            .download()
            .ifPresent(
                d ->
                    d.bytesBySource()
                        .forEach(
                            (uri, n) -> {
                              if (n > 0) {
                                kinds.add(SourceKind.of(uri));
                              }
                            }));
      }
      return kinds;
    }

    int retries() {
      if (outcome != null) {
        return Math.max(0, outcome.attempts() - 1);
      }
      return error instanceof SourcesExhaustedException exhausted
          ? Math.max(0, exhausted.attempts().size() - 1)
          : 0;
    }
  }

  static BootstrapSummary of(
      String table, String dataDir, List<SegmentResult> results, Duration elapsed) {
    int kept = 0, recovered = 0, downloaded = 0, replaced = 0, retries = 0;
    long bytes = 0, archiveBytes = 0;
    Map<String, Integer> sources = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    for (SegmentResult result : results) {
      retries += result.retries();
      result.sourceKinds().forEach(kind -> sources.merge(kind, 1, Integer::sum));
      if (result.outcome() == null) {
        failures.add(result.segment().segmentName() + ": " + oneLine(result.error()));
        continue;
      }
      bytes += result.outcome().bytes();
      archiveBytes += result.outcome().download().map(DownloadResult::bytesFetched).orElse(0L);
      switch (result.outcome().action()) {
        case KEPT -> kept++;
        case RECOVERED -> recovered++;
        case DOWNLOADED -> downloaded++;
        case REPLACED -> replaced++;
        default -> {}
      }
    }
    long millis = elapsed.toMillis();
    double rate = bytes / 1e6 / Math.max(elapsed.toNanos(), 1) * 1e9;
    return new BootstrapSummary(
        table,
        dataDir,
        results.size(),
        kept,
        recovered,
        downloaded,
        replaced,
        failures.size(),
        bytes,
        archiveBytes,
        millis,
        Math.round(rate * 10) / 10.0,
        sources,
        retries,
        failures);
  }

  /** An error as one line: the core's messages name the segment and every attempt already. */
  static String oneLine(Throwable error) {
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }

  boolean succeeded() {
    return failed == 0;
  }

  @Override
  public String text() {
    StringBuilder text = new StringBuilder();
    row(text, "table", table + " -> " + dataDir);
    row(
        text,
        "segments",
        String.format(
            "%d: %d kept, %d downloaded, %d replaced, %d failed%s",
            segments,
            kept,
            downloaded,
            replaced,
            failed,
            recovered > 0 ? ", " + recovered + " recovered" : ""));
    row(text, "bytes", String.format("%,d written from %,d archive bytes", bytes, archiveBytes));
    row(text, "time", String.format("%,d ms", millis));
    row(text, "throughput", String.format("%.1f MB/s", megabytesPerSecond));
    row(
        text,
        "sources",
        sources.isEmpty()
            ? "none (nothing downloaded)"
            : String.join(
                ", ",
                sources.entrySet().stream()
                    .map(
                        e ->
                            e.getKey()
                                + " "
                                + e.getValue()
                                + (e.getValue() == 1 ? " segment" : " segments"))
                    .toList()));
    row(text, "retries", Integer.toString(retries));
    failures.forEach(failure -> row(text, "FAILED", failure));
    return text.toString().stripTrailing();
  }

  private static void row(StringBuilder text, String label, String value) {
    text.append(String.format("  %-11s %s%n", label, value));
  }
}
