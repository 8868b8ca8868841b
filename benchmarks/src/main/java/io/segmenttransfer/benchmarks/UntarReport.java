package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.core.archive.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs {@link UntarBenchmark} and reports the ratios the project is held to, in one run, so the
 * pipeline and its baselines share the machine's state:
 *
 * <ul>
 *   <li>pipeline / ceiling &ge; 0.9 for gzip and zstd, where the ceiling is the slower of
 *       decompression alone and file writes alone (a pipeline that overlaps both stages perfectly
 *       runs at the slower one's speed);
 *   <li>pipeline / Pinot's untar, both from a file: &ge; 1.0 for gzip, &ge; 2.5 for zstd;
 *   <li>pipeline / download-then-untar, both from the network stand-in: &ge; 2.0.
 * </ul>
 *
 * Ratios use each benchmark's best iteration (the machine is shared, so the best is the least
 * disturbed); the mean-based ratio is printed next to it to show the noise.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.segmenttransfer.benchmarks.UntarReport
 * [--size 64,256] [--quick] [--out benchmarks/results]}.
 */
public final class UntarReport {

  private record Goal(String name, String codec, String numerator, String denominator, double target) {}

  private static final List<Goal> GOALS = List.of(
      new Goal("pipeline / ceiling", "gzip", "pipelineFromMemory", "ceiling", 0.9),
      new Goal("pipeline / ceiling", "zstd", "pipelineFromMemory", "ceiling", 0.9),
      new Goal("pipeline / Pinot untar (file)", "gzip", "pipelineFromFile", "pinotUntarFromFile", 1.0),
      new Goal("pipeline / Pinot untar (file)", "zstd", "pipelineFromFile", "pinotUntarFromFile", 2.5),
      new Goal("pipeline / download-then-untar (network)", "gzip", "pipelineFromNetwork", "downloadThenUntar", 2.0),
      new Goal("pipeline / download-then-untar (network)", "zstd", "pipelineFromNetwork", "downloadThenUntar", 2.0));

  private UntarReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    List<Integer> sizes = new ArrayList<>(List.of(64, 256));
    boolean quick = false;
    Path out = BenchPaths.results();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> {
          sizes.clear();
          for (String s : args[++i].split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
          }
        }
        case "--quick" -> quick = true;
        case "--out" -> out = Path.of(args[++i]);
        default -> throw new IllegalArgumentException(
            "usage: UntarReport [--size 64,256] [--quick] [--out dir]; unknown argument " + args[i]);
      }
    }
    // Generate the archives here, once, rather than in the first benchmark fork's setup.
    ArchiveCache cache = ArchiveCache.defaultLocation();
    Map<String, CachedArchive> archives = new LinkedHashMap<>();
    for (int size : sizes) {
      for (Codec codec : List.of(Codec.GZIP, Codec.ZSTD)) {
        System.out.printf("archive %d MiB %s ...%n", size, codec);
        CachedArchive archive = cache.archive(SegmentSpec.ofMebibytes(size, 1), codec);
        archives.put(key(codec.name().toLowerCase(Locale.ROOT), size), archive);
      }
    }
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(UntarBenchmark.class.getName())
        .param("sizeMiB", sizes.stream().map(String::valueOf).toArray(String[]::new))
        .warmupIterations(quick ? 2 : 3)
        .measurementIterations(quick ? 4 : 8)
        .forks(1)
        .shouldFailOnError(true)
        .jvmArgsAppend("-Dbench.dir=" + BenchPaths.module());
    Collection<RunResult> results = new Runner(options.build()).run();

    Map<String, Map<String, Throughput>> table = new LinkedHashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      String codec = result.getParams().getParam("codec");
      int size = Integer.parseInt(result.getParams().getParam("sizeMiB"));
      CachedArchive archive = archives.get(key(codec, size));
      Statistics stats = result.getPrimaryResult().getStatistics();
      table.computeIfAbsent(key(codec, size), k -> new LinkedHashMap<>())
          .put(method, Throughput.of(archive.uncompressedBytes(), stats));
    }
    for (Map<String, Throughput> row : table.values()) {
      Throughput decompress = row.get("decompressOnly");
      Throughput write = row.get("writeOnly");
      row.put("ceiling", decompress.best() <= write.best() ? decompress : write);
    }
    print(table, archives);
    write(out, table, archives, quick);
  }

  /** MB/s of uncompressed output: from the best (fastest) iteration and from the mean time. */
  record Throughput(double best, double mean, double worst, int iterations) {
    static Throughput of(long bytes, Statistics millis) {
      return new Throughput(mbps(bytes, millis.getMin()), mbps(bytes, millis.getMean()), mbps(bytes, millis.getMax()),
          (int) millis.getN());
    }

    private static double mbps(long bytes, double millis) {
      return bytes / 1e6 / (millis / 1e3);
    }
  }

  private static void print(Map<String, Map<String, Throughput>> table, Map<String, CachedArchive> archives) {
    System.out.println();
    System.out.println("Untar throughput, MB/s of uncompressed output (best / mean of the iterations)");
    System.out.println("machine: " + MachineInfo.current());
    for (Map.Entry<String, Map<String, Throughput>> row : table.entrySet()) {
      CachedArchive archive = archives.get(row.getKey());
      System.out.printf("%n%s: %d files, %.1f MB uncompressed, %.1f MB archive (ratio %.2f)%n", row.getKey(),
          new SyntheticSegment(archive.spec()).files().size(), archive.uncompressedBytes() / 1e6, archive.archiveBytes() / 1e6, archive.compressionRatio());
      for (Map.Entry<String, Throughput> cell : row.getValue().entrySet()) {
        System.out.printf("  %-22s %8.0f / %8.0f%n", cell.getKey(), cell.getValue().best(), cell.getValue().mean());
      }
    }
    System.out.println();
    System.out.printf("%-44s %-5s %6s %10s %10s %6s  %s%n", "ratio", "codec", "size", "best", "mean", "goal", "");
    for (Map.Entry<String, Map<String, Throughput>> row : table.entrySet()) {
      for (Goal goal : GOALS) {
        if (!row.getKey().startsWith(goal.codec() + "-")) {
          continue;
        }
        Throughput num = row.getValue().get(goal.numerator());
        Throughput den = row.getValue().get(goal.denominator());
        double best = num.best() / den.best();
        double mean = num.mean() / den.mean();
        System.out.printf("%-44s %-5s %6s %10.2f %10.2f %6.1f  %s%n", goal.name(), goal.codec(),
            row.getKey().substring(goal.codec().length() + 1), best, mean, goal.target(),
            best >= goal.target() ? "PASS" : "MISS");
      }
    }
  }

  private static void write(Path dir, Map<String, Map<String, Throughput>> table, Map<String, CachedArchive> archives,
      boolean quick) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", MachineInfo.current().asMap());
    json.put("quick", quick);
    json.put("unit", "MB/s of uncompressed output");
    Map<String, Object> rows = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Throughput>> row : table.entrySet()) {
      CachedArchive archive = archives.get(row.getKey());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("uncompressedBytes", archive.uncompressedBytes());
      entry.put("archiveBytes", archive.archiveBytes());
      entry.put("compressionLevel", archive.level());
      entry.put("throughput", row.getValue());
      List<Map<String, Object>> ratios = new ArrayList<>();
      for (Goal goal : GOALS) {
        if (row.getKey().startsWith(goal.codec() + "-")) {
          Throughput num = row.getValue().get(goal.numerator());
          Throughput den = row.getValue().get(goal.denominator());
          Map<String, Object> ratio = new LinkedHashMap<>();
          ratio.put("name", goal.name());
          ratio.put("numerator", goal.numerator());
          ratio.put("denominator", goal.denominator());
          ratio.put("best", num.best() / den.best());
          ratio.put("mean", num.mean() / den.mean());
          ratio.put("goal", goal.target());
          ratio.put("met", num.best() / den.best() >= goal.target());
          ratios.add(ratio);
        }
      }
      entry.put("ratios", ratios);
      rows.put(row.getKey(), entry);
    }
    json.put("results", rows);
    Files.createDirectories(dir);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path file = dir.resolve("untar-latest.json");
    mapper.writeValue(file.toFile(), json);
    System.out.println("\nwrote " + file);
  }

  private static String key(String codec, int sizeMiB) {
    return codec + "-" + sizeMiB + "MiB";
  }
}
