package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.extract.ExtractionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory of the pipeline does not depend on the segment's size: a 1 GiB segment, streamed from the
 * generator, extracts in a JVM with a 64 MiB heap (the {@code memory-bound} Surefire execution runs
 * this class alone with {@code -Xmx64m}) with peaks within {@link MemoryBoundCheck}'s bounds.
 */
class MemoryBoundTest {

  private static final long MIB = 1024 * 1024;

  @Test
  void oneGibibyteSegmentExtractsWithinTheMemoryBound(@TempDir Path dataDir) throws Exception {
    assertThat(Runtime.getRuntime().maxMemory())
        .as(
            "this test proves nothing unless it runs with -Xmx64m (the memory-bound Surefire execution)")
        .isLessThanOrEqualTo(64 * MIB);

    MemoryBoundCheck.Report report = MemoryBoundCheck.run(1024, dataDir);
    System.out.println("memory bound: " + report);

    assertThat(report.segmentBytes()).isEqualTo(1024 * MIB);
    assertThat(report.crc()).as("segment CRC").isEqualTo(report.expectedCrc()).isNotEqualTo(-1);
    assertThat(report.peaks().samples()).as("samples taken").isGreaterThan(50);
    assertThat(report.peaks().direct())
        .as(
            "peak direct memory vs maxBytesInFlight %d + slack",
            ExtractionConfig.defaults().maxBytesInFlight())
        .isLessThanOrEqualTo(report.directBound());
    assertThat(report.peaks().heapAfterGc())
        .as("peak heap after GC")
        .isLessThanOrEqualTo(report.heapAfterGcBound());
    assertThat(report.peaks().heapPlusDirect())
        .as("peak sampled heap used + direct")
        .isLessThanOrEqualTo(MemoryBoundCheck.HEAP_USED_BOUND + report.directBound());
    assertThat(report.withinBounds()).isTrue();
    try (Stream<Path> left = Files.walk(dataDir)) {
      assertThat(left.filter(Files::isRegularFile)).as("files left after the check").isEmpty();
    }
  }
}
