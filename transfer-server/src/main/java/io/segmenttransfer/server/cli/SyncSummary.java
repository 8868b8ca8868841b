package io.segmenttransfer.server.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;
import io.segmenttransfer.controller.api.SyncReport;
import java.util.Locale;

/** A sync run's report: as text for people, as the controller's JSON with {@code --json}. */
record SyncSummary(@JsonValue SyncReport report) implements OutputOptions.Summary {

  @Override
  @JsonIgnore
  public String text() {
    StringBuilder text = new StringBuilder();
    text.append(
        String.format(
            Locale.ROOT,
            "sync %s of %s (%s, %s): %s in %.1f s%n",
            report.runId(),
            report.tableNameWithType(),
            report.mode(),
            report.processor(),
            report.status(),
            report.durationMs() / 1000.0));
    text.append(
        String.format(
            Locale.ROOT,
            "  examined %d, processed %d, skipped %d, failed %d%n",
            report.examined(),
            report.processed().size(),
            report.skipped().size(),
            report.failed().size()));
    if (!report.processed().isEmpty()) {
      text.append(
          String.format(
              Locale.ROOT,
              "  archive bytes %,d -> %,d%n",
              report.bytesBefore(),
              report.bytesAfter()));
    }
    report.processed().forEach(s -> text.append("  processed ").append(s).append('\n'));
    report
        .skipped()
        .forEach(
            s ->
                text.append("  skipped ")
                    .append(s.segmentName())
                    .append(": ")
                    .append(s.reason())
                    .append('\n'));
    report
        .failed()
        .forEach(
            f ->
                text.append("  FAILED ")
                    .append(f.segmentName())
                    .append(": ")
                    .append(f.cause())
                    .append('\n'));
    if (report.message() != null) {
      text.append("  note: ").append(report.message()).append('\n');
    }
    return text.toString().stripTrailing();
  }
}
