package io.segmenttransfer.benchmarks;

/**
 * One bootstrap of a fresh data directory: every segment downloaded and in place, its CRC checked.
 *
 * <p>Memory figures are of the whole process, which also hosts the sources (the S3 API server, the
 * controller and the peers): compare implementations at the same source and concurrency, and read
 * the RSS growth rather than the absolute RSS.
 *
 * @param source where the segments came from
 * @param implementation {@code pipeline} (this project) or {@code pinot} (download, untar, move)
 * @param concurrency downloads allowed at once
 * @param segments segments bootstrapped
 * @param bytes uncompressed bytes written
 * @param seconds wall time from the first request to the last segment in place
 * @param rssAtStartBytes resident set size when the run started (after a GC)
 * @param peakRssBytes peak resident set size during the run (sampled VmRSS, not the process-wide
 *     VmHWM)
 * @param peakDirectBytes peak of the JDK's direct buffer pool during the run
 * @param peakNettyDirectBytes peak of Netty's own direct memory (not in the JDK's pool) during the
 *     run
 * @param peakHeapUsedBytes peak heap used (garbage included) during the run
 * @param loadAverage the machine's one-minute load average at the end of the run (other work on it
 *     included)
 */
public record BootstrapRun(
    String source,
    String implementation,
    int concurrency,
    int segments,
    long bytes,
    double seconds,
    long rssAtStartBytes,
    long peakRssBytes,
    long peakDirectBytes,
    long peakNettyDirectBytes,
    long peakHeapUsedBytes,
    double loadAverage) {

  public double segmentsPerSecond() {
    return segments / seconds;
  }

  public double megabytesPerSecond() {
    return bytes / 1e6 / seconds;
  }

  /** How far the resident set grew above its level at the start of the run. */
  public long rssGrowthBytes() {
    return Math.max(0, peakRssBytes - rssAtStartBytes);
  }
}
