package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.server.launcher.ClassDataSharingLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cold start and warm-up on a real Pinot segment ({@link RealSegments}), this project against
 * Pinot, as users meet them:
 *
 * <ul>
 *   <li><b>cold</b>: one extraction per fresh JVM, {@code java -jar segment-transfer.jar extract}
 *       against {@code java -jar pinot-tools.jar untar} (Pinot 1.5's own {@code
 *       TarCompressionUtils.untar}), alternating the two sides run by run so both meet the same
 *       load; the wall time of each process and the milliseconds each prints for the extraction
 *       alone;
 *   <li><b>warm-up curve</b>: the archive extracted {@code --warm} times in one fresh JVM per side
 *       ({@link WarmUpRun}; Pinot's side is the {@link PinotUntar} reimplementation, since {@code
 *       pinot-tools untar} takes one archive per JVM), repeated and alternated like the cold runs,
 *       the median of each position reported.
 * </ul>
 *
 * Both codecs, tar.gz and tar.zst, each archived by Pinot. The steady state is {@link
 * UntarBenchmark} with {@code -p realRows=<rows>}. Every extraction is checked (bytes, and the CRC
 * of Pinot's {@code creation.meta} where the side computes one). Writes {@code
 * cold-start-latest.json} and {@code warm-up-latest.png} into {@code --out}.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.segmenttransfer.benchmarks.ColdStartReport [--rows 1700000] [--seed 1] [--runs 7] [--warm 10]
 * [--warm-repeats 3] [--codecs gzip,zstd] [--out benchmarks/results]}.
 */
public final class ColdStartReport {

  /** Warm-up sides: our pipeline in a JVM without flags, as a daemon ({@code server}) runs it. */
  static final String OURS = "ours";

  /**
   * Our pipeline in a JVM with the flags the launcher gives a relaunched one-shot command (the
   * client compiler, huge pages on request): how {@code bootstrap} meets its 2nd and later
   * segments.
   */
  static final String OURS_AS_BOOTSTRAP = "ours-launcher-flags";

  static final String PINOT = "pinot";

  private ColdStartReport() {}

  /** One side's cold run: process wall time, the extraction's own millis, the load before it. */
  record ColdRun(String side, long wallMillis, long innerMillis, double loadAverage) {}

  public static void main(String[] args) throws IOException {
    long rows = 1_700_000;
    long seed = 1;
    int runs = 7;
    int warm = 10;
    int warmRepeats = 3;
    List<Codec> codecs = List.of(Codec.GZIP, Codec.ZSTD);
    Path out = BenchPaths.results();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--warm" -> warm = Integer.parseInt(args[++i]);
        case "--warm-repeats" -> warmRepeats = Integer.parseInt(args[++i]);
        case "--codecs" ->
            codecs =
                List.of(args[++i].split(",")).stream()
                    .map(c -> Codec.valueOf(c.strip().toUpperCase(Locale.ROOT)))
                    .toList();
        case "--out" -> out = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "usage: ColdStartReport [--rows N] [--seed S] [--runs N] [--warm N] [--warm-repeats N]"
                    + " [--codecs gzip,zstd] [--out dir]; unknown argument "
                    + args[i]);
      }
    }
    MachineInfo machine = MachineInfo.current();
    System.out.println("machine: " + machine);
    RealSegments segments = RealSegments.defaultLocation();
    Path work =
        Files.createDirectories(BenchPaths.target().resolve("bench-work"))
            .resolve("cold-" + ProcessHandle.current().pid());
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Map<String, List<Long>>> curves = new LinkedHashMap<>();
    try {
      for (Codec codec : codecs) {
        RealSegments.RealArchive archive = segments.archive(rows, seed, codec);
        System.out.printf(
            "%s: %s, %d rows, %,d bytes in a %,d-byte archive%n",
            codec,
            archive.segmentName(),
            archive.rows(),
            archive.segmentBytes(),
            archive.archiveBytes());
        List<ColdRun> cold = cold(archive, runs, work.resolve("cold"));
        Map<String, List<Long>> curve = warmUp(archive, warm, warmRepeats, work.resolve("warm"));
        String name = codec.name().toLowerCase(Locale.ROOT);
        curves.put(name, curve);
        results.add(row(archive, cold, curve));
      }
    } finally {
      Directories.deleteRecursively(work);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", machine.asMap());
    json.put("loadAverageAtEnd", MachineInfo.loadAverage());
    json.put(
        "conditions",
        "cold: each run a fresh JVM, java -jar segment-transfer.jar extract vs java -jar"
            + " pinot-tools.jar untar (Pinot 1.5 TarCompressionUtils.untar), alternating; warm: one"
            + " fresh JVM per side extracting the same archive repeatedly (Pinot side: PinotUntar,"
            + " the commons-compress reimplementation), alternating, median per position");
    json.put("results", results);
    Files.createDirectories(out);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path file = out.resolve("cold-start-latest.json");
    mapper.writeValue(file.toFile(), json);
    Path png = out.resolve("warm-up-latest.png");
    WarmUpChart.write(
        curves,
        String.format(
            Locale.ROOT,
            "Warm-up on a real Pinot segment (%,d rows, %d MiB): ms per extraction in one JVM",
            rows,
            segments.archive(rows, seed, codecs.get(0)).segmentBytes() >> 20),
        png);
    System.out.println("wrote " + file + " and " + png);
  }

  private static List<ColdRun> cold(RealSegments.RealArchive archive, int runs, Path work)
      throws IOException {
    List<ColdRun> cold = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      // Alternate who goes first, so neither side always follows the other's page-cache state.
      List<String> order = i % 2 == 0 ? List.of(OURS, PINOT) : List.of(PINOT, OURS);
      for (String side : order) {
        Path dir = work.resolve(side + "-" + i);
        double load = MachineInfo.loadAverage();
        JavaChild.Run run = side.equals(OURS) ? extract(archive, dir) : pinotUntar(archive, dir);
        Directories.deleteRecursively(dir);
        ColdRun c = new ColdRun(side, run.wallMillis(), run.json().get("millis").asLong(), load);
        System.out.printf(
            "  cold %s %d: %d ms wall, %d ms extraction (load %.1f)%n",
            side, i, c.wallMillis(), c.innerMillis(), load);
        cold.add(c);
      }
    }
    return cold;
  }

  private static JavaChild.Run extract(RealSegments.RealArchive archive, Path dir)
      throws IOException {
    JavaChild.Run run =
        JavaChild.run(
            JavaChild.segmentTransferJar(),
            List.of(
                "extract",
                "--archive",
                archive.file().toString(),
                "--to",
                dir.toString(),
                "--table",
                RealSegments.TABLE_WITH_TYPE,
                "--expect-crc",
                Long.toString(archive.crc()),
                "--json"));
    check("extract", run.json().get("bytes").asLong(), archive);
    return run;
  }

  private static JavaChild.Run pinotUntar(RealSegments.RealArchive archive, Path dir)
      throws IOException {
    JavaChild.Run run =
        JavaChild.run(
            JavaChild.pinotToolsJar(),
            List.of(
                "untar",
                "--archive",
                archive.file().toString(),
                "--out",
                dir.toString(),
                "--json"));
    check("pinot untar", run.json().get("bytes").asLong(), archive);
    return run;
  }

  private static void check(String side, long bytes, RealSegments.RealArchive archive) {
    if (bytes != archive.segmentBytes()) {
      throw new IllegalStateException(
          side + " wrote " + bytes + " bytes, the segment has " + archive.segmentBytes());
    }
  }

  /** Milliseconds of each position, the median over {@code repeats} JVMs per side. */
  private static Map<String, List<Long>> warmUp(
      RealSegments.RealArchive archive, int count, int repeats, Path work) throws IOException {
    Map<String, List<List<Long>>> all = new LinkedHashMap<>();
    for (int r = 0; r < repeats; r++) {
      List<String> order =
          r % 2 == 0
              ? List.of(OURS, OURS_AS_BOOTSTRAP, PINOT)
              : List.of(PINOT, OURS_AS_BOOTSTRAP, OURS);
      for (String side : order) {
        JsonNode json =
            JavaChild.runClass(
                    WarmUpRun.class,
                    side.equals(OURS_AS_BOOTSTRAP)
                        ? ClassDataSharingLauncher.runtimeFlags()
                        : List.of(),
                    List.of(
                        side.equals(PINOT) ? PINOT : OURS,
                        archive.file().toString(),
                        archive.segmentName(),
                        Long.toString(archive.crc()),
                        Long.toString(archive.segmentBytes()),
                        Integer.toString(count),
                        work.resolve(side + "-" + r).toString()))
                .json();
        List<Long> millis = new ArrayList<>();
        json.get("millis").forEach(m -> millis.add(m.asLong()));
        System.out.printf(
            "  warm %s %d: %s ms (load %.1f)%n", side, r, millis, MachineInfo.loadAverage());
        all.computeIfAbsent(side, k -> new ArrayList<>()).add(millis);
      }
    }
    Map<String, List<Long>> medians = new LinkedHashMap<>();
    all.forEach(
        (side, lists) -> {
          List<Long> m = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            int position = i;
            m.add(median(lists.stream().map(l -> l.get(position)).toList()));
          }
          medians.put(side, m);
        });
    return medians;
  }

  private static Map<String, Object> row(
      RealSegments.RealArchive archive, List<ColdRun> cold, Map<String, List<Long>> curve) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("codec", archive.codec().name().toLowerCase(Locale.ROOT));
    row.put("segment", archive.segmentName());
    row.put("rows", archive.rows());
    row.put("segmentBytes", archive.segmentBytes());
    row.put("archiveBytes", archive.archiveBytes());
    long oursWall = median(select(cold, OURS, true));
    long pinotWall = median(select(cold, PINOT, true));
    long oursInner = median(select(cold, OURS, false));
    long pinotInner = median(select(cold, PINOT, false));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("runsPerSide", cold.size() / 2);
    c.put("oursWallMillisMedian", oursWall);
    c.put("pinotWallMillisMedian", pinotWall);
    c.put("wallRatio", ratio(pinotWall, oursWall));
    c.put("oursExtractionMillisMedian", oursInner);
    c.put("pinotUntarMillisMedian", pinotInner);
    c.put("extractionRatio", ratio(pinotInner, oursInner));
    c.put(
        "loadAverageMedian",
        cold.stream().mapToDouble(ColdRun::loadAverage).sorted().toArray()[cold.size() / 2]);
    c.put("runs", cold);
    row.put("cold", c);
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("oursMillis", curve.get(OURS));
    w.put("oursWithLauncherFlagsMillis", curve.get(OURS_AS_BOOTSTRAP));
    w.put("launcherFlags", ClassDataSharingLauncher.runtimeFlags());
    w.put("pinotUntarReimplementationMillis", curve.get(PINOT));
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < curve.get(OURS).size(); i++) {
      ratios.add(ratio(curve.get(PINOT).get(i), curve.get(OURS).get(i)));
    }
    w.put("ratioPerPosition", ratios);
    Map<String, Double> second = new LinkedHashMap<>();
    for (String side : List.of(OURS, OURS_AS_BOOTSTRAP, PINOT)) {
      second.put(side, secondOverSteadyState(curve.get(side)));
    }
    w.put("secondExtractionOverSteadyState", second);
    row.put("warmUp", w);
    System.out.printf(
        "%s cold: ours %d ms wall (%d extraction), Pinot %d ms wall (%d untar): %.2fx wall, %.2fx"
            + " extraction; warm ratios %s%n",
        row.get("codec"),
        oursWall,
        oursInner,
        pinotWall,
        pinotInner,
        ratio(pinotWall, oursWall),
        ratio(pinotInner, oursInner),
        ratios);
    System.out.printf(
        "%s 2nd extraction / steady state (median of the 6th on): %s (goal: within 1.15)%n",
        row.get("codec"), second);
    return row;
  }

  /**
   * The 2nd extraction's time over the steady state, the median from the 6th extraction on (issue
   * #13's warm-up goal: within 15 %); NaN with fewer than 6 positions.
   */
  static double secondOverSteadyState(List<Long> millis) {
    if (millis.size() < 6) {
      return Double.NaN;
    }
    return Math.round(100.0 * millis.get(1) / Math.max(1, median(millis.subList(5, millis.size()))))
        / 100.0;
  }

  private static List<Long> select(List<ColdRun> cold, String side, boolean wall) {
    return cold.stream()
        .filter(c -> c.side().equals(side))
        .map(c -> wall ? c.wallMillis() : c.innerMillis())
        .toList();
  }

  /** Pinot's time over ours: above 1 we are faster. */
  static double ratio(long pinot, long ours) {
    return Math.round(100.0 * pinot / Math.max(1, ours)) / 100.0;
  }

  static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
