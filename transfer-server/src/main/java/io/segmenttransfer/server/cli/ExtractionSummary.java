package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.transfer.DownloadResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code extract} reports: with {@code --json}, exactly these fields. */
record ExtractionSummary(
    String table,
    String segmentName,
    String directory,
    long crc,
    int files,
    long bytes,
    long archiveBytes,
    String codec,
    boolean replaced,
    long millis,
    long decodeMillis,
    long writeMillis,
    double megabytesPerSecond,
    int attempts,
    Map<String, Long> bytesBySource,
    int restarts)
    implements OutputOptions.PlainSummary {

  static ExtractionSummary of(DownloadResult download) {
    ExtractionResult r = download.extraction();
    Map<String, Long> bySource = new LinkedHashMap<>();
    download.bytesBySource().forEach((uri, bytes) -> bySource.put(uri.toString(), bytes));
    return new ExtractionSummary(
        r.segment().table().toString(),
        r.segment().segmentName(),
        r.directory().toString(),
        r.crc(),
        r.files().size(),
        r.bytesWritten(),
        r.archiveBytes(),
        r.codec().name().toLowerCase(java.util.Locale.ROOT),
        r.replaced(),
        r.timings().total().toMillis(),
        r.timings().decode().toMillis(),
        r.timings().write().toMillis(),
        Math.round(r.megabytesPerSecond() * 10) / 10.0,
        download.attempts(),
        bySource,
        download.restarts());
  }

  @Override
  public String text() {
    return String.format(
            "%s %s: %d files, %,d bytes from a %,d-byte %s archive in %d ms (%.1f MB/s), CRC %d%n  -> %s",
            replaced ? "replaced" : "extracted",
            segmentName,
            files,
            bytes,
            archiveBytes,
            codec,
            millis,
            megabytesPerSecond,
            crc,
            directory)
        + (attempts > 1
            ? String.format(
                "%n  %d attempts, %d restarts, bytes by source: %s",
                attempts, restarts, bytesBySource)
            : "");
  }
}
