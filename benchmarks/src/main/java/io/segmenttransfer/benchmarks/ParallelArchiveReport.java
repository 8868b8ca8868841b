package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.core.archive.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;

/**
 * The parallel layouts' figures ({@code UntarReport --parallel}), all from one run of {@link
 * UntarBenchmark} so both sides share the machine's state:
 *
 * <ul>
 *   <li>reading our parallel archive: our pipeline with 1 and 2 threads against Pinot's untar of
 *       the same archive and against our serial path (goals at 2 threads: &ge; 1.6x and &ge; 1.5x);
 *   <li>building the archive from the segment directory: ours with 1 and 2 threads (and our single
 *       stream) against Pinot's {@code createCompressedTarFile} (goal at 2 threads: &ge; 1.8x);
 *   <li>archive size: parallel layout against one stream at the same level (goal: within 3%).
 * </ul>
 *
 * Throughputs are MB/s of the segment's bytes; ratios use each benchmark's best iteration, with the
 * mean-based ratio beside it. The one-minute load average is recorded before and after each JMH
 * run.
 */
final class ParallelArchiveReport {

  private static final List<String> THREADS = List.of("serial", "1", "2");

  /**
   * The size parameter the real segment's runs carry (JMH needs one; the real segment ignores it).
   */
  private static final int REAL_SIZE = 64;

  private ParallelArchiveReport() {}

  /**
   * Runs the report on the synthetic segments of {@code sizes}, or, with {@code realRows > 0}, on
   * the real Pinot segment of that many rows ({@link RealSegments}: Pinot's archive as the single
   * stream, ours of the same segment as the parallel one, Pinot's directory to compress), then
   * writes {@code untar-parallel-latest.json} or {@code untar-parallel-real-latest.json} and, for
   * the real segment, the thread-scaling chart {@code thread-scaling-real-latest.png}.
   */
  static void run(List<Integer> sizes, boolean quick, long realRows, Path out)
      throws RunnerException, IOException {
    ArchiveCache cache = ArchiveCache.defaultLocation();
    Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
    Map<String, Long> segmentBytes = new LinkedHashMap<>();
    List<Integer> rowSizes = realRows > 0 ? List.of(REAL_SIZE) : sizes;
    for (int size : rowSizes) {
      for (Codec codec : List.of(Codec.GZIP, Codec.ZSTD)) {
        String key = key(codec, size, realRows > 0);
        Map<String, Object> row = new LinkedHashMap<>();
        long singleBytes;
        long parallelBytes;
        if (realRows > 0) {
          System.out.printf(
              "real segment, %d rows, %s (Pinot's archive and ours) ...%n", realRows, codec);
          RealSegments.RealArchive real =
              RealSegments.defaultLocation().archive(realRows, 1, codec);
          singleBytes = real.archiveBytes();
          parallelBytes = Files.size(RealSegments.ourParallelArchive(real));
          segmentBytes.put(key, real.segmentBytes());
          row.put("segment", real.segmentName());
          row.put("rows", realRows);
          row.put("level", ArchiveCache.pinotLevel(codec));
        } else {
          SegmentSpec spec = SegmentSpec.ofMebibytes(size, 1);
          System.out.printf("archives %d MiB %s (single stream and parallel) ...%n", size, codec);
          CachedArchive single = cache.archive(spec, codec, false);
          CachedArchive parallel = cache.archive(spec, codec, true);
          singleBytes = single.archiveBytes();
          parallelBytes = parallel.archiveBytes();
          segmentBytes.put(key, parallel.uncompressedBytes());
          row.put("level", parallel.level());
        }
        row.put("uncompressedBytes", segmentBytes.get(key));
        row.put("singleStreamBytes", singleBytes);
        row.put("parallelBytes", parallelBytes);
        row.put("sizeRatio", (double) parallelBytes / singleBytes);
        rows.put(key, row);
      }
    }
    List<Double> loads = new ArrayList<>();
    List<RunResult> results = new ArrayList<>();
    loads.add(MachineInfo.loadAverage());
    for (boolean reading : List.of(true, false)) {
      results.addAll(
          UntarReport.run(
              options(rowSizes, quick, realRows, reading)
                  .include(
                      UntarBenchmark.class.getName()
                          + (reading ? ".pipelineFromFile$" : ".compressOurs$"))
                  .param("layout", "parallel")
                  .param("threads", THREADS.toArray(String[]::new))
                  .param("linkMBps", "0")));
      loads.add(MachineInfo.loadAverage());
      results.addAll(
          UntarReport.run(
              options(rowSizes, quick, realRows, reading)
                  .include(
                      UntarBenchmark.class.getName()
                          + (reading ? ".pinotUntarFromFile$" : ".compressPinot$"))
                  .param("layout", "parallel")
                  .param("threads", "cores")
                  .param("linkMBps", "0")));
      loads.add(MachineInfo.loadAverage());
    }

    Map<String, Map<String, UntarReport.Throughput>> cells = new LinkedHashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      Codec codec = Codec.valueOf(result.getParams().getParam("codec").toUpperCase(Locale.ROOT));
      int size = Integer.parseInt(result.getParams().getParam("sizeMiB"));
      String threads = result.getParams().getParam("threads");
      String key = key(codec, size, realRows > 0);
      String cell =
          method.startsWith("pinot") || method.equals("compressPinot")
              ? method
              : method + "@" + threads;
      cells
          .computeIfAbsent(key, k -> new LinkedHashMap<>())
          .put(
              cell,
              UntarReport.Throughput.of(
                  segmentBytes.get(key), result.getPrimaryResult().getStatistics()));
    }
    System.out.println();
    System.out.println("Parallel layouts: MB/s of segment bytes (best / mean), ratios best (mean)");
    System.out.println("machine: " + MachineInfo.current() + "; load average " + loads);
    for (Map.Entry<String, Map<String, Object>> row : rows.entrySet()) {
      Map<String, UntarReport.Throughput> c = cells.get(row.getKey());
      Map<String, Object> ratios = new LinkedHashMap<>();
      for (String t : THREADS) {
        ratios.put(
            "read ours@" + t + " / Pinot untar",
            ratio(c, "pipelineFromFile@" + t, "pinotUntarFromFile"));
        ratios.put(
            "build ours@" + t + " / Pinot createCompressedTarFile",
            ratio(c, "compressOurs@" + t, "compressPinot"));
      }
      for (String t : List.of("1", "2")) {
        ratios.put(
            "read ours@" + t + " / ours serial",
            ratio(c, "pipelineFromFile@" + t, "pipelineFromFile@serial"));
      }
      row.getValue().put("throughput", c);
      row.getValue().put("ratios", ratios);
      System.out.printf(
          "%n%s: %.1f MB; archive %d bytes parallel vs %d single stream (%.4f)%n",
          row.getKey(),
          ((Number) row.getValue().get("uncompressedBytes")).longValue() / 1e6,
          row.getValue().get("parallelBytes"),
          row.getValue().get("singleStreamBytes"),
          row.getValue().get("sizeRatio"));
      c.forEach((k, v) -> System.out.printf("  %-32s %8.0f / %8.0f%n", k, v.best(), v.mean()));
      ratios.forEach((k, v) -> System.out.printf("  %-52s %s%n", k, v));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", MachineInfo.current().asMap());
    json.put("loadAverage", loads);
    json.put("quick", quick);
    json.put("segment", realRows > 0 ? "real Pinot segment, " + realRows + " rows" : "synthetic");
    json.put("unit", "MB/s of the segment's bytes");
    json.put("results", rows);
    Files.createDirectories(out);
    Path file =
        out.resolve(
            realRows > 0 ? "untar-parallel-real-latest.json" : "untar-parallel-latest.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    System.out.println("\nwrote " + file);
    if (realRows > 0) {
      Path png = out.resolve("thread-scaling-real-latest.png");
      ThreadScalingChart.write(
          cells,
          "Parallel layouts on a real Pinot segment ("
              + realRows
              + " rows), "
              + MachineInfo.current().cores()
              + " cores",
          png);
      System.out.println("wrote " + png);
    }
  }

  /**
   * Reading takes a fraction of a second per iteration and needs a dozen warm-up iterations: the
   * first gigabyte a JVM allocates lands on heap memory never touched before (page faults, see
   * benchmarks/README.md), which is not the steady state. Building a gzip archive takes seconds per
   * iteration (tens under load), and the ratios use the best iteration, which a few give.
   */
  private static org.openjdk.jmh.runner.options.ChainedOptionsBuilder options(
      List<Integer> sizes, boolean quick, long realRows, boolean reading) {
    return UntarReport.options(sizes, quick)
        .param("realRows", String.valueOf(realRows))
        .warmupIterations(reading ? (quick ? 5 : 12) : (quick ? 2 : 3))
        .measurementIterations(reading ? (quick ? 3 : 8) : (quick ? 3 : 5));
  }

  /** {@code best (mean)} of numerator over denominator, or "n/a" when one is missing. */
  private static String ratio(Map<String, UntarReport.Throughput> cells, String num, String den) {
    UntarReport.Throughput n = cells.get(num);
    UntarReport.Throughput d = cells.get(den);
    if (n == null || d == null) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2f (%.2f)", n.best() / d.best(), n.mean() / d.mean());
  }

  private static String key(Codec codec, int size, boolean real) {
    return codec.name().toLowerCase(Locale.ROOT) + "-" + (real ? "real" : size + "MiB");
  }
}
