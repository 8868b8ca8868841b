package io.segmenttransfer.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one sync benchmark run measured: per segment, the deep-store sync's steps and each server's
 * pick-up of the rebuilt copy against Pinot's preprocessing on each replica; and the totals.
 *
 * @param segments one entry per segment, in push order
 * @param runMs the sync run from its start to its end, as its report says
 * @param convergedMs from the run's start until the last server held the last rebuilt copy
 */
record SyncResults(List<Segment> segments, long runMs, long convergedMs) {

  /**
   * The sync's steps for one segment, from outside the controller (its deep store's reads and
   * writes, and the record's refresh time).
   *
   * @param downloadMs the read of the old archive, through the extraction pipeline into the work
   *     directory
   * @param processMs from the end of the download to the start of the upload: the end of the
   *     extraction, the {@code pinot} processor (a child JVM running Pinot's preprocessing), the
   *     CRC recomputed
   * @param archiveUploadMs the new archive built and written in one pass
   * @param metadataMs from the end of the upload to the metadata switch (the record's refresh time)
   * @param totalMs from the start of the download to the switch
   */
  record Steps(
      long downloadMs, long processMs, long archiveUploadMs, long metadataMs, long totalMs) {

    /**
     * No step ends before it starts. Times are in milliseconds, so a small segment's download or
     * upload may take 0 (the smoke test's segment did).
     */
    boolean inOrder() {
      return downloadMs >= 0
          && processMs >= 0
          && archiveUploadMs >= 0
          && metadataMs >= 0
          && totalMs > 0;
    }
  }

  /**
   * One segment.
   *
   * @param pickUpMs by server: from the metadata switch until the server's copy had the new CRC
   * @param pinot by server: Pinot's preprocessing of that replica's own copy
   */
  record Segment(
      String name,
      long rows,
      long segmentBytes,
      long archiveBytesBefore,
      long archiveBytesAfter,
      long crcBefore,
      long crcAfter,
      Steps ours,
      Map<String, Long> pickUpMs,
      Map<String, PinotPreprocessing.Timing> pinot) {}

  /** The sync's work: one rebuild per segment plus every server's download of the result. */
  long oursWorkMs() {
    return segments.stream()
        .mapToLong(s -> s.ours().totalMs() + s.pickUpMs().values().stream().mapToLong(v -> v).sum())
        .sum();
  }

  /** Pinot's work: every replica preprocesses every segment (the program's own time). */
  long pinotWorkMs() {
    return segments.stream()
        .flatMap(s -> s.pinot().values().stream())
        .mapToLong(PinotPreprocessing.Timing::programMs)
        .sum();
  }

  /** The same, each preprocessing in its own JVM (start-up and exit included). */
  long pinotWorkWallMs() {
    return segments.stream()
        .flatMap(s -> s.pinot().values().stream())
        .mapToLong(PinotPreprocessing.Timing::wallMs)
        .sum();
  }

  /**
   * Until every replica is done, Pinot's way: replicas work at once (each on its own machine), each
   * through its segments one after another, so the slowest replica's sum.
   */
  long pinotConvergedMs() {
    Map<String, Long> perServer = new LinkedHashMap<>();
    for (Segment segment : segments) {
      segment.pinot().forEach((server, t) -> perServer.merge(server, t.programMs(), Long::sum));
    }
    return perServer.values().stream().mapToLong(v -> v).max().orElse(0);
  }

  Map<String, Object> totals() {
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("oursTaskMs", segments.stream().mapToLong(s -> s.ours().totalMs()).sum());
    totals.put(
        "oursPickUpMs",
        segments.stream().flatMap(s -> s.pickUpMs().values().stream()).mapToLong(v -> v).sum());
    totals.put("oursWorkMs", oursWorkMs());
    totals.put("pinotWorkMs", pinotWorkMs());
    totals.put("pinotWorkWallMs", pinotWorkWallMs());
    totals.put("workRatioPinotOverOurs", ratio(pinotWorkMs(), oursWorkMs()));
    totals.put("oursRunMs", runMs);
    totals.put("oursConvergedMs", convergedMs);
    totals.put("pinotConvergedMs", pinotConvergedMs());
    totals.put("convergedRatioPinotOverOurs", ratio(pinotConvergedMs(), convergedMs));
    return totals;
  }

  static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : Math.round(1000.0 * a / b) / 1000.0;
  }

  /** The per-segment table and the totals, as the README quotes them. */
  String table(List<String> servers) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-40s %9s %8s | %8s %8s %8s %6s %8s | %s | %s%n",
            "segment",
            "rows",
            "MiB",
            "download",
            "process",
            "arch+up",
            "meta",
            "task",
            "pick-up " + String.join(" / ", servers),
            "Pinot preprocessing per replica, program (JVM wall)"));
    for (Segment s : segments) {
      StringBuilder pickUp = new StringBuilder();
      StringBuilder pinot = new StringBuilder();
      for (String server : servers) {
        pickUp.append(pickUp.isEmpty() ? "" : " / ").append(s.pickUpMs().get(server));
        PinotPreprocessing.Timing t = s.pinot().get(server);
        pinot
            .append(pinot.isEmpty() ? "" : " / ")
            .append(t.programMs())
            .append(" (")
            .append(t.wallMs())
            .append(")");
      }
      out.append(
          String.format(
              Locale.ROOT,
              "%-40s %9d %8.1f | %8d %8d %8d %6d %8d | %s | %s%n",
              s.name(),
              s.rows(),
              s.segmentBytes() / 1048576.0,
              s.ours().downloadMs(),
              s.ours().processMs(),
              s.ours().archiveUploadMs(),
              s.ours().metadataMs(),
              s.ours().totalMs(),
              pickUp,
              pinot));
    }
    out.append("(ms)\n");
    totals().forEach((k, v) -> out.append(String.format(Locale.ROOT, "%-30s %s%n", k, v)));
    return out.toString();
  }
}
