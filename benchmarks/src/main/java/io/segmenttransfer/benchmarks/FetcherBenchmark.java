package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.benchmarks.RealSegments.RealArchive;
import io.segmenttransfer.core.archive.Codec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pinot's default segment fetchers against the pinot-fetcher plugin, both behind Pinot 1.5's own
 * {@code SegmentFetcherFactory.fetchAndStreamUntarToLocal} (the call a Pinot server makes with
 * {@code pinot.server.instance.segment.stream.download.untar=true}), on a real segment built by
 * Pinot ({@link RealSegments}) and archived by Pinot (single-stream tar.gz, as a Pinot cluster
 * stores it), over a limited link ({@link ThrottlingTcpProxy}):
 *
 * <ul>
 *   <li>{@code http}: a controller of this project serving the archive at Pinot's download URL
 *       ({@code /segments/{table}/{segment}}), the way a server fetches from a controller or a
 *       peer. Pinot's side: its default {@code HttpSegmentFetcher}; the plugin's: {@code
 *       http.class} naming {@code SegmentTransferFetcher}.
 *   <li>{@code http-reset}: the same, with the connection reset once half the archive has passed
 *       ({@link ResettingTcpProxy}), on the measured fetch.
 *   <li>{@code s3}: an in-process S3 API server ({@link InProcessS3Server}). The plugin only:
 *       Pinot's default for {@code s3://} is its {@code pinot-s3} plugin (S3PinotFS), which does
 *       not resolve from the registry this project builds from (1.4.0, 1.5.0 and 1.5.1 were tried).
 * </ul>
 *
 * <p>Each side runs in its own child JVM ({@link PinotFetchChild}) on Pinot 1.5.0's own dependency
 * tree ({@code benchmarks/pinot-1.5-fetchers}, resolved into {@code
 * target/pinot-1.5-fetchers.classpath}), the plugin's side with the shaded {@code
 * segment-transfer-pinot-fetcher.jar} added, as a Pinot server would load it: Pinot's jars never
 * join the benchmarks' classpath. A child fetches twice: its first fetch is a freshly started
 * server's, the second (measured) a warm one's. Rounds alternate which side goes first, and medians
 * are reported. Every fetched segment is checked against the one Pinot built (the same files and
 * sizes, and the CRC of its {@code creation.meta} computed from the fetched files); a failed fetch
 * is reported as one, with its attempts.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar
 * io.segmenttransfer.benchmarks.FetcherBenchmark [--rows 1700000] [--rounds 3] [--rate-mb 150]
 * [--latency-ms 2] [--sources http,http-reset,s3]}
 */
public final class FetcherBenchmark {

  static final String PLUGIN_CLASS = "io.segmenttransfer.pinotfetcher.SegmentTransferFetcher";
  static final int FETCHES_PER_CHILD = 2;
  private static final int WARM = FETCHES_PER_CHILD - 1;
  private static final List<String> CHILD_JVM = List.of("-Xms512m", "-Xmx2g");

  /** What a run is asked to do. */
  record Options(
      long rows, int rounds, long bytesPerSecond, Duration latency, List<String> sources) {

    static Options parse(String[] args) {
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i + 1 < args.length; i += 2) {
        given.put(args[i].replaceFirst("^--", ""), args[i + 1]);
      }
      return new Options(
          Long.parseLong(given.getOrDefault("rows", "1700000")),
          Integer.parseInt(given.getOrDefault("rounds", "3")),
          Long.parseLong(given.getOrDefault("rate-mb", "150")) * 1_000_000,
          Duration.ofMillis(Long.parseLong(given.getOrDefault("latency-ms", "2"))),
          List.of(given.getOrDefault("sources", "http,http-reset,s3").split(",")));
    }

    ThrottlingTcpProxy.Throttle link() {
      return new ThrottlingTcpProxy.Throttle(bytesPerSecond, latency);
    }
  }

  /**
   * One child JVM's fetches: the fetch call's milliseconds, the attempt count as Pinot's API
   * reports it, and for each fetch its failure (null when it succeeded and the segment checked
   * out).
   */
  record ChildRun(
      String source,
      String side,
      int round,
      List<Long> millis,
      List<Integer> attempts,
      List<String> failures) {

    boolean succeeded(int fetch) {
      return failures.get(fetch) == null;
    }
  }

  private FetcherBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Path work = Files.createTempDirectory("fetcher-benchmark");
    try {
      RealArchive real = RealSegments.defaultLocation().archive(options.rows(), 1, Codec.GZIP);
      double loadBefore = MachineInfo.loadAverage();
      List<ChildRun> runs = run(options, real, work);
      System.out.printf(
          "machine: %s; load average %.1f before, %.1f after%n",
          MachineInfo.current(), loadBefore, MachineInfo.loadAverage());
      System.out.println(new ObjectMapper().writeValueAsString(summary(options, runs, real)));
    } finally {
      Directories.deleteRecursively(work);
    }
    // reactor-netty's and S3Proxy's non-daemon threads must not keep the JVM alive.
    System.exit(0);
  }

  /** Runs every round on {@code real}'s archive; returns each child's checked fetches. Blocking. */
  static List<ChildRun> run(Options options, RealArchive real, Path work) throws Exception {
    System.out.printf(
        "segment %s: %d rows, %,d bytes in %d files (built by Pinot), archive %,d bytes (Pinot's"
            + " tar.gz); link %s%n",
        real.segmentName(),
        real.rows(),
        real.segmentBytes(),
        FetchedSegment.files(real.segmentDir()).size(),
        real.archiveBytes(),
        options.link());
    Path plugin = JavaChild.pinotFetcherJar();
    if (!Files.isRegularFile(plugin)) {
      throw new IOException(plugin + " is not built: mvn -B -o -q -pl pinot-fetcher -am package");
    }
    String pinotClassPath = pinotClassPath();
    Path childClasses = PinotFetchChildCopy.write(work.resolve("child-classes"));
    List<ChildRun> runs = new ArrayList<>();
    try (FetchSources sources = FetchSources.start(real, work, options.link(), options.sources())) {
      for (int round = 0; round < options.rounds(); round++) {
        for (String source : options.sources()) {
          List<String> sides = new ArrayList<>(sources.sides(source));
          if (round % 2 == 1) {
            Collections.reverse(sides);
          }
          for (String side : sides) {
            String classPath =
                childClasses
                    + File.pathSeparator
                    + (side.equals(FetchSources.PLUGIN) ? plugin + File.pathSeparator : "")
                    + pinotClassPath;
            Path dest = work.resolve("fetch-" + source + "-" + side + "-" + round);
            int cuts = sources.arm(source);
            JavaChild.Run child =
                JavaChild.runClass(
                    classPath,
                    PinotFetchChild.class.getName(),
                    CHILD_JVM,
                    sources.childArgs(source, side, dest));
            if (!sources.cutSince(source, cuts)) {
              throw new IOException(source + "/" + side + ": the connection was never reset");
            }
            ChildRun run = check(source, side, round, child.json(), real);
            runs.add(run);
            Directories.deleteRecursively(dest);
            System.out.printf(
                "round %d %-10s %-6s fetches %s ms, attempts %s%s%n",
                round,
                source,
                side,
                run.millis(),
                run.attempts(),
                run.failures().stream().anyMatch(Objects::nonNull)
                    ? ", failed: " + run.failures()
                    : "");
          }
        }
      }
    }
    return runs;
  }

  /** Checks every segment the child fetched against the one Pinot built. */
  private static ChildRun check(
      String source, String side, int round, JsonNode json, RealArchive real) throws IOException {
    List<Long> millis = new ArrayList<>();
    List<Integer> attempts = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (JsonNode fetch : json.get("fetches")) {
      if (fetch.has("failed")) {
        failures.add(fetch.get("failed").asText());
      } else {
        FetchedSegment.requireSame(Path.of(fetch.get("dir").asText()), real);
        failures.add(null);
      }
      millis.add(fetch.get("millis").asLong());
      attempts.add(fetch.get("attempts").asInt());
    }
    if (millis.size() != FETCHES_PER_CHILD) {
      throw new IOException(source + "/" + side + ": " + millis.size() + " fetches reported");
    }
    return new ChildRun(source, side, round, millis, attempts, failures);
  }

  /**
   * Per source and side: the medians of the first (fresh JVM) and the warm fetches that succeeded,
   * the warm fetches that failed, their attempts, and every run's times.
   */
  static Map<String, Object> summary(Options options, List<ChildRun> runs, RealArchive real) {
    Map<String, Object> summary = new LinkedHashMap<>();
    for (String source : options.sources()) {
      Map<String, Object> bySide = new LinkedHashMap<>();
      for (String side : List.of(FetchSources.PINOT, FetchSources.PLUGIN)) {
        List<ChildRun> mine =
            runs.stream().filter(r -> r.source().equals(source) && r.side().equals(side)).toList();
        if (mine.isEmpty()) {
          continue;
        }
        double warm = medianSeconds(mine, WARM);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("firstSeconds", medianSeconds(mine, 0));
        figures.put("warmSeconds", warm);
        figures.put("warmMBps", real.segmentBytes() / 1e6 / warm);
        figures.put("warmFailed", mine.stream().filter(r -> !r.succeeded(WARM)).count());
        figures.put("warmAttempts", mine.stream().map(r -> r.attempts().get(WARM)).toList());
        figures.put("runs", mine.stream().map(ChildRun::millis).toList());
        mine.stream()
            .flatMap(r -> r.failures().stream())
            .filter(Objects::nonNull)
            .findFirst()
            .ifPresent(f -> figures.put("failure", f));
        bySide.put(side, figures);
      }
      summary.put(source, bySide);
    }
    return summary;
  }

  /** Median seconds of the successful fetches at {@code fetch}; NaN when none succeeded. */
  private static double medianSeconds(List<ChildRun> runs, int fetch) {
    return CommitBenchmark.median(
        runs.stream()
            .filter(r -> r.succeeded(fetch))
            .map(r -> r.millis().get(fetch) / 1e3)
            .toList());
  }

  /**
   * Pinot 1.5.0's own tree, resolved at build time into {@code
   * target/pinot-1.5-fetchers.classpath}.
   */
  static String pinotClassPath() throws IOException {
    String configured = System.getProperty("segmenttransfer.pinotFetchersClasspath");
    Path file =
        configured != null
            ? Path.of(configured)
            : BenchPaths.module().resolve("target").resolve("pinot-1.5-fetchers.classpath");
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          file
              + " is missing: build the benchmarks module once online (mvn -B -pl benchmarks -am"
              + " package -DskipTests), which resolves Pinot 1.5.0's fetchers into it");
    }
    return Files.readString(file).strip();
  }
}
