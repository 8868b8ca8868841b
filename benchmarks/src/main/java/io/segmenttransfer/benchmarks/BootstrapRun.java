package io.segmenttransfer.benchmarks;

/**
 * One bootstrap of a fresh data directory: every segment downloaded and in place.
 *
 * @param source where the segments came from
 * @param implementation {@code pipeline} (this project) or {@code pinot} (download, untar, move)
 * @param concurrency downloads allowed at once
 * @param segments segments bootstrapped
 * @param bytes uncompressed bytes written
 * @param seconds wall time from the first request to the last segment in place
 * @param peakRssBytes peak resident set size during the run
 * @param peakDirectBytes peak direct buffer memory during the run
 * @param peakHeapUsedBytes peak heap used (garbage included) during the run
 */
public record BootstrapRun(
    String source, String implementation, int concurrency, int segments, long bytes, double seconds,
    long peakRssBytes, long peakDirectBytes, long peakHeapUsedBytes) {

  public double segmentsPerSecond() {
    return segments / seconds;
  }

  public double megabytesPerSecond() {
    return bytes / 1e6 / seconds;
  }
}
