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
 *   <li>pipeline / download-then-untar, both from the network stand-in: &ge; 2.0, at memory speed
 *       and again behind a link of each speed given with {@code --links} (MB/s of archive bytes).
 * </ul>
 *
 * Ratios use each benchmark's best iteration (the least disturbed by the rest of the machine); the
 * mean-based ratio is printed next to it to show the noise.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.segmenttransfer.benchmarks.UntarReport [--size 64,256] [--links 125,250,500] [--quick] [--out
 * benchmarks/results]}; with {@code --parallel}, the parallel layouts' figures instead ({@link
 * ParallelArchiveReport}).
 */
public final class UntarReport {

  private record Goal(
      String name, String codec, String numerator, String denominator, double target) {}

  /** One goal evaluated on one row. */
  record Ratio(
      String name, String numerator, String denominator, double best, double mean, double goal) {
    boolean met() {
      return best >= goal;
    }
  }

  private static final String NETWORK_PAIR = "pipelineFromNetwork|downloadThenUntar";

  private static final List<Goal> GOALS =
      List.of(
          new Goal("pipeline / ceiling", "gzip", "pipelineFromMemory", "ceiling", 0.9),
          new Goal("pipeline / ceiling", "zstd", "pipelineFromMemory", "ceiling", 0.9),
          new Goal(
              "pipeline / Pinot untar (file)",
              "gzip",
              "pipelineFromFile",
              "pinotUntarFromFile",
              1.0),
          new Goal(
              "pipeline / Pinot untar (file)",
              "zstd",
              "pipelineFromFile",
              "pinotUntarFromFile",
              2.5),
          new Goal(
              "pipeline / download-then-untar (network)",
              "gzip",
              "pipelineFromNetwork",
              "downloadThenUntar",
              2.0),
          new Goal(
              "pipeline / download-then-untar (network)",
              "zstd",
              "pipelineFromNetwork",
              "downloadThenUntar",
              2.0));

  private UntarReport() {}

  public static void main(String[] args) throws RunnerException, IOException {
    List<Integer> sizes = new ArrayList<>(List.of(64, 256));
    List<Integer> links = new ArrayList<>(List.of(125, 250, 500));
    boolean quick = false;
    boolean parallel = false;
    long realRows = 0;
    Path out = BenchPaths.results();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size" -> sizes = integers(args[++i]);
        case "--links" -> links = integers(args[++i]);
        case "--quick" -> quick = true;
        case "--parallel" -> parallel = true;
        case "--real-rows" -> realRows = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "usage: UntarReport [--size 64,256] [--links 125,250,500] [--quick] [--parallel [--real-rows N]] [--out dir]; unknown argument "
                    + args[i]);
      }
    }
    if (parallel) {
      ParallelArchiveReport.run(sizes, quick, realRows, out);
      return;
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
    List<RunResult> results =
        new ArrayList<>(
            run(
                options(sizes, quick)
                    .include(UntarBenchmark.class.getName() + ".")
                    .param("linkMBps", "0")));
    if (!links.isEmpty()) {
      results.addAll(
          run(
              options(sizes, quick)
                  .include(UntarBenchmark.class.getName() + ".(" + NETWORK_PAIR + ")$")
                  .param("linkMBps", links.stream().map(String::valueOf).toArray(String[]::new))));
    }

    Map<String, Map<String, Throughput>> table = new LinkedHashMap<>();
    for (RunResult result : results) {
      String method = result.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      String codec = result.getParams().getParam("codec");
      int size = Integer.parseInt(result.getParams().getParam("sizeMiB"));
      int link = Integer.parseInt(result.getParams().getParam("linkMBps"));
      CachedArchive archive = archives.get(key(codec, size));
      Statistics stats = result.getPrimaryResult().getStatistics();
      table
          .computeIfAbsent(key(codec, size), k -> new LinkedHashMap<>())
          .put(cell(method, link), Throughput.of(archive.uncompressedBytes(), stats));
    }
    for (Map<String, Throughput> row : table.values()) {
      Throughput decompress = row.get("decompressOnly");
      Throughput write = row.get("writeOnly");
      row.put("ceiling", decompress.best() <= write.best() ? decompress : write);
    }
    Map<String, List<Ratio>> ratios = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Throughput>> row : table.entrySet()) {
      ratios.put(row.getKey(), ratios(row.getKey(), row.getValue(), links));
    }
    print(table, ratios, archives);
    write(out, table, ratios, archives, links, quick);
  }

  static ChainedOptionsBuilder options(List<Integer> sizes, boolean quick) {
    // SingleShotTime runs the pipeline's Java code only a few hundred times per iteration (it
    // works in 256 KiB buffers), so C2, and with it the Adler-32 intrinsic, needs several
    // iterations to kick in: the warm-up is sized for that, for the baselines as much as for us.
    return new OptionsBuilder()
        .param("sizeMiB", sizes.stream().map(String::valueOf).toArray(String[]::new))
        .warmupIterations(quick ? 5 : 8)
        .measurementIterations(quick ? 5 : 10)
        .forks(1)
        .shouldFailOnError(true)
        .jvmArgsAppend("-Dbench.dir=" + BenchPaths.module());
  }

  static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
    return new Runner(options.build()).run();
  }

  /** The goals of {@code row}'s codec; the network goal once at memory speed and once per link. */
  private static List<Ratio> ratios(
      String row, Map<String, Throughput> cells, List<Integer> links) {
    List<Ratio> ratios = new ArrayList<>();
    for (Goal goal : GOALS) {
      if (!row.startsWith(goal.codec() + "-")) {
        continue;
      }
      ratios.add(ratio(goal.name(), goal.numerator(), goal.denominator(), goal.target(), cells));
      if (goal.numerator().equals("pipelineFromNetwork")) {
        for (int link : links) {
          ratios.add(
              ratio(
                  goal.name().replace("(network)", "(link " + link + " MB/s)"),
                  cell(goal.numerator(), link),
                  cell(goal.denominator(), link),
                  goal.target(),
                  cells));
        }
      }
    }
    return ratios;
  }

  private static Ratio ratio(
      String name,
      String numerator,
      String denominator,
      double goal,
      Map<String, Throughput> cells) {
    Throughput num = cells.get(numerator);
    Throughput den = cells.get(denominator);
    return new Ratio(
        name, numerator, denominator, num.best() / den.best(), num.mean() / den.mean(), goal);
  }

  /** A benchmark's column: its method name, plus the link speed when it ran behind one. */
  private static String cell(String method, int linkMBps) {
    return linkMBps > 0 ? method + "@" + linkMBps + "MBps" : method;
  }

  static List<Integer> integers(String csv) {
    List<Integer> values = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        values.add(Integer.parseInt(s.trim()));
      }
    }
    return values;
  }

  /** MB/s of uncompressed output: from the best (fastest) iteration and from the mean time. */
  record Throughput(double best, double mean, double worst, int iterations) {
    static Throughput of(long bytes, Statistics millis) {
      return new Throughput(
          mbps(bytes, millis.getMin()),
          mbps(bytes, millis.getMean()),
          mbps(bytes, millis.getMax()),
          (int) millis.getN());
    }

    private static double mbps(long bytes, double millis) {
      return bytes / 1e6 / (millis / 1e3);
    }
  }

  private static void print(
      Map<String, Map<String, Throughput>> table,
      Map<String, List<Ratio>> ratios,
      Map<String, CachedArchive> archives) {
    System.out.println();
    System.out.println(
        "Untar throughput, MB/s of uncompressed output (best / mean of the iterations)");
    System.out.println("machine: " + MachineInfo.current());
    for (Map.Entry<String, Map<String, Throughput>> row : table.entrySet()) {
      CachedArchive archive = archives.get(row.getKey());
      System.out.printf(
          "%n%s: %d files, %.1f MB uncompressed, %.1f MB archive (ratio %.2f)%n",
          row.getKey(),
          new SyntheticSegment(archive.spec()).files().size(),
          archive.uncompressedBytes() / 1e6,
          archive.archiveBytes() / 1e6,
          archive.compressionRatio());
      for (Map.Entry<String, Throughput> cell : row.getValue().entrySet()) {
        System.out.printf(
            "  %-32s %8.0f / %8.0f%n",
            cell.getKey(), cell.getValue().best(), cell.getValue().mean());
      }
    }
    System.out.println();
    System.out.printf("%-52s %10s %8s %8s %6s%n", "ratio", "row", "best", "mean", "goal");
    ratios.forEach(
        (row, list) -> {
          for (Ratio r : list) {
            System.out.printf(
                "%-52s %10s %8.2f %8.2f %6.1f  %s%n",
                r.name(), row, r.best(), r.mean(), r.goal(), r.met() ? "PASS" : "MISS");
          }
        });
  }

  private static void write(
      Path dir,
      Map<String, Map<String, Throughput>> table,
      Map<String, List<Ratio>> ratios,
      Map<String, CachedArchive> archives,
      List<Integer> links,
      boolean quick)
      throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", MachineInfo.current().asMap());
    json.put("quick", quick);
    json.put("linksMBps", links);
    json.put("unit", "MB/s of uncompressed output");
    Map<String, Object> rows = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Throughput>> row : table.entrySet()) {
      CachedArchive archive = archives.get(row.getKey());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("uncompressedBytes", archive.uncompressedBytes());
      entry.put("archiveBytes", archive.archiveBytes());
      entry.put("compressionLevel", archive.level());
      entry.put("throughput", row.getValue());
      List<Map<String, Object>> list = new ArrayList<>();
      for (Ratio r : ratios.get(row.getKey())) {
        Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("name", r.name());
        ratio.put("numerator", r.numerator());
        ratio.put("denominator", r.denominator());
        ratio.put("best", r.best());
        ratio.put("mean", r.mean());
        ratio.put("goal", r.goal());
        ratio.put("met", r.met());
        list.add(ratio);
      }
      entry.put("ratios", list);
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
