/**
 * Benchmarks and checks of the read path, run from the benchmarks jar, not by the build:
 * UntarBenchmark (JMH, reported as ratios by UntarReport) measures untar throughput against Pinot's
 * way and the ceilings, BootstrapBenchmark a whole bootstrap from a local, S3 or peer source, and
 * MemoryBoundCheck that memory does not grow with the segment. Segments are synthetic
 * (SegmentArchiveGenerator, cached by ArchiveCache) or real (RealSegments: built and archived by
 * Pinot 1.5's own code through pinot-tools.jar in a child JVM, so Pinot stays off this classpath;
 * ColdStartReport compares fresh JVMs and the warm-up curve on them), and every run verifies CRCs
 * and byte counts, so a broken pipeline fails instead of looking fast. Nothing here is used by the
 * product modules.
 */
@NullMarked
package io.segmenttransfer.benchmarks;

import org.jspecify.annotations.NullMarked;
