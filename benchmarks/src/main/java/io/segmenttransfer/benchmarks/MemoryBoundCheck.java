package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Extracts a generated segment streamed straight from the generator (never held in memory or on
 * disk as an archive) through {@link SegmentExtractor}, while {@link MemorySampler} watches the
 * heap and direct memory. Run it in a JVM with a small heap ({@code -Xmx64m}) to show that memory
 * does not grow with the segment: {@code MemoryBoundTest} does, with 1 GiB.
 *
 * <p>Usage: {@code java -Xmx64m -cp benchmarks/target/benchmarks.jar
 * io.segmenttransfer.benchmarks.MemoryBoundCheck [sizeMiB]}.
 */
public final class MemoryBoundCheck {

  /**
   * Direct memory beyond {@link ExtractionConfig#maxBytesInFlight()}: the codecs' native staging
   * buffers (zstd-jni copies heap input through a 128 KiB direct buffer) and the empty buffers the
   * pool keeps for reuse, rounded up to 1 MiB.
   */
  public static final long DIRECT_SLACK = 1024 * 1024;

  /**
   * The heap left after a collection may hold at most this much: the test framework and JIT'd
   * code's data (about 10 MiB here), Reactor's queues of chunk references and the generator's few
   * chunks. A pipeline that buffered the archive or a file would cross it within the first 10% of a
   * 1 GiB segment.
   */
  public static final long HEAP_AFTER_GC_BOUND = 32L * 1024 * 1024;

  /**
   * Sampled heap used (garbage included) may reach this much on top of the direct bound. With
   * {@code -Xmx64m} G1 sizes its young generation up to 60% of the heap (about 38 MiB), and what
   * stays live sits beside it: about 15 MiB since the extraction lends the file store its read
   * buffers back for reuse (a bounded pool, kept instead of garbage; it was about 8 MiB before), so
   * peaks of 49-52.5 MiB were sampled; 56 MiB leaves room for timing, while anything holding a
   * segment's worth of bytes would blow through it (the heap-after-GC bound is the sharper check).
   */
  public static final long HEAP_USED_BOUND = 56L * 1024 * 1024;

  /** What one check measured. */
  public record Report(
      long segmentBytes,
      long expectedCrc,
      long crc,
      Duration elapsed,
      MemorySampler.Peaks peaks,
      long directBound,
      long heapAfterGcBound,
      long maxHeap) {

    public boolean withinBounds() {
      return peaks.direct() <= directBound
          && peaks.heapAfterGc() <= heapAfterGcBound
          && peaks.heapPlusDirect() <= HEAP_USED_BOUND + directBound;
    }

    @Override
    public String toString() {
      return String.format(
          "%d MiB extracted in %.1f s (%.0f MB/s), crc %d (expected %d); peaks: heap used %.1f MiB (max heap %.0f MiB), "
              + "heap after GC %.1f MiB (bound %.0f MiB, %d GCs), direct %.2f MiB (bound %.2f MiB), "
              + "heap+direct %.1f MiB, RSS %.0f MiB; %d samples",
          segmentBytes >> 20,
          elapsed.toMillis() / 1e3,
          segmentBytes / 1e3 / Math.max(1, elapsed.toMillis()),
          crc,
          expectedCrc,
          mib(peaks.heapUsed()),
          mib(maxHeap),
          mib(peaks.heapAfterGc()),
          mib(heapAfterGcBound),
          peaks.gcs(),
          mib(peaks.direct()),
          mib(directBound),
          mib(peaks.heapPlusDirect()),
          mib(peaks.rss()),
          peaks.samples());
    }

    private static double mib(long bytes) {
      return bytes / 1024.0 / 1024.0;
    }
  }

  private MemoryBoundCheck() {}

  /**
   * Extracts a segment of {@code sizeMiB} compressed with zstd level 1 (the fastest to generate)
   * into {@code dataDir}, deletes it again, and reports the peaks. Blocking.
   */
  public static Report run(int sizeMiB, Path dataDir) throws IOException {
    ExtractionConfig config = ExtractionConfig.defaults();
    SegmentSpec spec = SegmentSpec.ofMebibytes(sizeMiB, 7);
    Scheduler scheduler = Schedulers.newBoundedElastic(4, 64, "memory-check");
    AtomicLong expectedCrc = new AtomicLong(-1);
    ExtractionResult result;
    long started = System.nanoTime();
    MemorySampler.Peaks peaks;
    try (MemorySampler sampler = new MemorySampler(5)) {
      SegmentExtractor extractor =
          new SegmentExtractor(
              config, CrypterRegistry.fromConfig(CrypterConfig.defaults()), scheduler);
      result =
          extractor
              .extract(
                  ArchiveStreams.generated(
                          spec, Codec.ZSTD, 1, ArchiveStreams.DEFAULT_CHUNK_SIZE, expectedCrc::set)
                      // The generator runs on its own thread, as a download would on an event loop.
                      .subscribeOn(Schedulers.single()),
                  ExtractionRequest.of(dataDir, spec.segmentId()))
              .block(Duration.ofMinutes(5));
      sampler.close();
      peaks = sampler.peaks();
    } finally {
      scheduler.dispose();
      Directories.deleteRecursively(dataDir.resolve(spec.table().toString()));
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    return new Report(
        result.bytesWritten(),
        expectedCrc.get(),
        result.crc(),
        elapsed,
        peaks,
        config.maxBytesInFlight() + DIRECT_SLACK,
        HEAP_AFTER_GC_BOUND,
        Runtime.getRuntime().maxMemory());
  }

  public static void main(String[] args) throws IOException {
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    Path dir = Files.createTempDirectory(BenchPaths.target(), "memory-check-");
    try {
      Report report = run(size, dir);
      System.out.println(report);
      System.out.println(
          report.withinBounds() && report.crc() == report.expectedCrc()
              ? "WITHIN BOUNDS"
              : "BOUND EXCEEDED");
    } finally {
      Directories.deleteRecursively(dir);
    }
  }
}
