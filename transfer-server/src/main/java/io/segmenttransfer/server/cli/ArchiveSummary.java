package io.segmenttransfer.server.cli;

/**
 * What {@code archive} reports: with {@code --json}, exactly these fields ({@code bytesIn} the
 * segment's files, {@code bytesOut} the archive, {@code millis} building and writing it).
 */
record ArchiveSummary(
    String segmentName,
    long crc,
    String file,
    String codec,
    int level,
    String layout,
    int threads,
    long bytesIn,
    long bytesOut,
    long millis)
    implements OutputOptions.Summary {

  @Override
  public String text() {
    return String.format(
        "archived %s (crc %d) to %s: %s level %d, %s, %d thread(s); %d bytes in, %d out (%.1f%%),"
            + " %d ms",
        segmentName,
        crc,
        file,
        codec,
        level,
        layout,
        threads,
        bytesIn,
        bytesOut,
        bytesIn == 0 ? 0.0 : 100.0 * bytesOut / bytesIn,
        millis);
  }
}
