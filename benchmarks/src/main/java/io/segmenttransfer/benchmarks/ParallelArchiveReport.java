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

  private ParallelArchiveReport() {}

  static void run(List<Integer> sizes, boolean quick, Path out)
      throws RunnerException, IOException {
    ArchiveCache cache = ArchiveCache.defaultLocation();
    Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
    Map<String, CachedArchive> parallelArchives = new LinkedHashMap<>();
    for (int size : sizes) {
      for (Codec codec : List.of(Codec.GZIP, Codec.ZSTD)) {
        SegmentSpec spec = SegmentSpec.ofMebibytes(size, 1);
        System.out.printf("archives %d MiB %s (single stream and parallel) ...%n", size, codec);
        CachedArchive single = cache.archive(spec, codec, false);
        CachedArchive parallel = cache.archive(spec, codec, true);
        String key = key(codec, size);
        parallelArchives.put(key, parallel);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("uncompressedBytes", parallel.uncompressedBytes());
        row.put("level", parallel.level());
        row.put("singleStreamBytes", single.archiveBytes());
        row.put("parallelBytes", parallel.archiveBytes());
        row.put("sizeRatio", (double) parallel.archiveBytes() / single.archiveBytes());
        rows.put(key, row);
      }
    }
    List<Double> loads = new ArrayList<>();
    List<RunResult> results = new ArrayList<>();
    loads.add(MachineInfo.loadAverage());
    results.addAll(
        UntarReport.run(
            options(sizes, quick)
                .include(UntarBenchmark.class.getName() + ".(pipelineFromFile|compressOurs)$")
                .param("layout", "parallel")
                .param("threads", THREADS.toArray(String[]::new))
                .param("linkMBps", "0")));
    loads.add(MachineInfo.loadAverage());
    results.addAll(
        UntarReport.run(
            options(sizes, quick)
                .include(UntarBenchmark.class.getName() + ".(pinotUntarFromFile|compressPinot)$")
                .param("layout", "parallel")
                .param("threads", "cores")
                .param("linkMBps", "0")));
    loads.add(MachineInfo.loadAverage());

    Map<String, Map<String, UntarReport.Throughput>> cells = new LinkedHashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      String codec = result.getParams().getParam("codec");
      int size = Integer.parseInt(result.getParams().getParam("sizeMiB"));
      String threads = result.getParams().getParam("threads");
      String key = codec + "-" + size + "MiB";
      String cell =
          method.startsWith("pinot") || method.equals("compressPinot")
              ? method
              : method + "@" + threads;
      cells
          .computeIfAbsent(key, k -> new LinkedHashMap<>())
          .put(
              cell,
              UntarReport.Throughput.of(
                  parallelArchives.get(key).uncompressedBytes(),
                  result.getPrimaryResult().getStatistics()));
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
    json.put("unit", "MB/s of the segment's bytes");
    json.put("results", rows);
    Files.createDirectories(out);
    Path file = out.resolve("untar-parallel-latest.json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    System.out.println("\nwrote " + file);
  }

  /**
   * Fewer iterations than the untar report: building a gzip archive takes seconds per iteration
   * (tens under load), and the ratios use the best iteration, which a few already give.
   */
  private static org.openjdk.jmh.runner.options.ChainedOptionsBuilder options(
      List<Integer> sizes, boolean quick) {
    return UntarReport.options(sizes, quick)
        .warmupIterations(quick ? 2 : 4)
        .measurementIterations(quick ? 3 : 6);
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

  private static String key(Codec codec, int size) {
    return codec.name().toLowerCase(Locale.ROOT) + "-" + size + "MiB";
  }
}
