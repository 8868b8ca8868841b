package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * End-to-end bootstrap: a fresh server pulls N generated segments from a source into an empty data
 * directory, at each of several concurrencies, once through this project ({@link
 * SegmentDataDirectory#addOrReplace}: download, decompress, untar and verify in one pass) and once
 * the way Pinot does it (fetch the whole archive to a temporary file in one stream, untar it with
 * commons-compress, move the segment into place) with the same concurrency. Both check every
 * segment's CRC and the total byte count, so a broken run fails rather than looking fast.
 *
 * <p>Sources ({@link BootstrapSource}): {@code file} (the local deep store), {@code s3} (an
 * in-process S3 API server on loopback), {@code peers} (an embedded controller and two server
 * daemons holding every segment, no deep-store copy) and {@code s3-throttled} (the S3 server behind
 * a proxy that limits each connection's bandwidth and adds latency, where parallel ranged GETs
 * matter). Reports segments/s, MB/s, RSS growth and direct memory per run, as JSON and as a chart
 * under {@code benchmarks/results/}.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * io.segmenttransfer.benchmarks.BootstrapBenchmark [--segments 8] [--size 32] [--codec gzip|zstd]
 * [--concurrency 1,2,4,8] [--sources file,s3,peers,s3-throttled] [--part-kib 4096]
 * [--read-concurrency 4] [--throttle-mbps 30] [--latency-ms 20] [--out benchmarks/results] [--name
 * bootstrap-latest]}.
 */
public final class BootstrapBenchmark {

  /** Every source this benchmark knows, in the order it runs them. */
  public static final List<String> SOURCES = List.of("file", "s3", "peers", "s3-throttled");

  /**
   * What to run.
   *
   * @param segments segments per bootstrap
   * @param sizeMiB uncompressed size of each segment
   * @param codec the archives' compression
   * @param concurrencies the download concurrencies to measure, each for both implementations
   * @param sources names from {@link #SOURCES}
   * @param s3Parts how this project reads S3 (both S3 sources)
   * @param throttle the link each connection gets through the proxy of {@code s3-throttled}
   * @param out where the JSON and the chart go
   * @param work scratch space: data directories, the S3 server's objects, the peers' data
   */
  public record Options(
      int segments,
      int sizeMiB,
      Codec codec,
      List<Integer> concurrencies,
      List<String> sources,
      S3BootstrapSource.ReadParts s3Parts,
      ThrottlingTcpProxy.Throttle throttle,
      Path out,
      Path work) {

    public static final int DEFAULT_SEGMENTS = 8;
    public static final int DEFAULT_SIZE_MIB = 32;
    public static final List<Integer> DEFAULT_CONCURRENCIES = List.of(1, 2, 4, 8);

    public Options {
      if (segments < 1 || sizeMiB < 1) {
        throw new IllegalArgumentException("segments and size must be positive");
      }
      concurrencies = List.copyOf(concurrencies);
      sources = List.copyOf(sources);
      if (concurrencies.isEmpty() || concurrencies.stream().anyMatch(c -> c < 1)) {
        throw new IllegalArgumentException("concurrencies must be positive, were " + concurrencies);
      }
      if (!SOURCES.containsAll(sources)) {
        throw new IllegalArgumentException(
            "sources must be among " + SOURCES + ", were " + sources);
      }
    }

    /** Every source, the default sizes and concurrencies. */
    public static Options defaults(Path out, Path work) {
      return new Options(
          DEFAULT_SEGMENTS,
          DEFAULT_SIZE_MIB,
          Codec.GZIP,
          DEFAULT_CONCURRENCIES,
          SOURCES,
          S3BootstrapSource.ReadParts.defaults(),
          ThrottlingTcpProxy.Throttle.defaults(),
          out,
          work);
    }

    public int maxConcurrency() {
      return concurrencies.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    static Options parse(String[] args) {
      Options o = defaults(BenchPaths.results(), BenchPaths.target().resolve("bench-work"));
      int segments = o.segments();
      int size = o.sizeMiB();
      Codec codec = o.codec();
      List<Integer> concurrencies = o.concurrencies();
      List<String> sources = o.sources();
      int partBytes = o.s3Parts().partSize();
      int readConcurrency = o.s3Parts().concurrency();
      double mbps = o.throttle().bytesPerSecond() / 1e6;
      long latencyMs = o.throttle().latency().toMillis();
      Path out = o.out();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--segments" -> segments = Integer.parseInt(args[++i]);
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--codec" -> codec = Codec.valueOf(args[++i].toUpperCase(Locale.ROOT));
          case "--concurrency" ->
              concurrencies =
                  Arrays.stream(args[++i].split(","))
                      .map(String::trim)
                      .map(Integer::valueOf)
                      .toList();
          case "--max-concurrency" ->
              concurrencies =
                  IntStream.rangeClosed(1, Integer.parseInt(args[++i])).boxed().toList();
          case "--sources" ->
              sources = Arrays.stream(args[++i].split(",")).map(String::trim).toList();
          case "--part-kib" -> partBytes = Integer.parseInt(args[++i]) * 1024;
          case "--read-concurrency" -> readConcurrency = Integer.parseInt(args[++i]);
          case "--throttle-mbps" -> mbps = Double.parseDouble(args[++i]);
          case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          case "--name" -> i++; // the output files' base name, see name(args)
          default ->
              throw new IllegalArgumentException(
                  "usage: BootstrapBenchmark [--segments N] [--size MiB] "
                      + "[--codec gzip|zstd] [--concurrency 1,2,4,8 | --max-concurrency C] [--sources "
                      + String.join(",", SOURCES)
                      + "] [--part-kib K] [--read-concurrency R] [--throttle-mbps M] [--latency-ms L] [--out dir] [--name base]; "
                      + "unknown argument "
                      + args[i]);
        }
      }
      return new Options(
          segments,
          size,
          codec,
          concurrencies,
          sources,
          new S3BootstrapSource.ReadParts(partBytes, readConcurrency),
          new ThrottlingTcpProxy.Throttle((long) (mbps * 1e6), Duration.ofMillis(latencyMs)),
          out,
          o.work());
    }

    static String name(String[] args) {
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals("--name")) {
          return args[i + 1];
        }
      }
      return "bootstrap-latest";
    }
  }

  /** Opens a source on the benchmark's scheduler. Blocking: may start servers. */
  @FunctionalInterface
  public interface SourceFactory {
    BootstrapSource open(Scheduler scheduler) throws IOException;
  }

  /**
   * The pipeline as the server daemon and the commands build it (TransferRuntime), sized for the
   * concurrency measured.
   */
  private static final RuntimeConfig RUNTIME = RuntimeConfig.defaults();

  private final Options options;
  private final Scheduler scheduler;
  private final Map<String, String> descriptions = new LinkedHashMap<>();

  public BootstrapBenchmark(Options options) {
    this.options = options;
    // Each extraction keeps two workers busy (decode, write) plus the store's reads.
    this.scheduler =
        Schedulers.newBoundedElastic(4 * options.maxConcurrency() + 4, 4096, "bootstrap");
  }

  public static void main(String[] args) throws IOException {
    Options options = Options.parse(args);
    BootstrapBenchmark benchmark = new BootstrapBenchmark(options);
    try {
      List<BootstrapRun> runs = benchmark.run();
      benchmark.write(runs, Options.name(args));
    } finally {
      benchmark.close();
    }
    // The servers' non-daemon threads (S3Proxy's Jetty, reactor-netty) must not keep the JVM alive.
    System.exit(0);
  }

  /** Releases the benchmark's worker threads. */
  public void close() {
    scheduler.dispose();
  }

  /** The factory for one of {@link #SOURCES}, with this benchmark's options. */
  public SourceFactory source(String name) {
    Path root = options.work().resolve(name + "-" + UUID.randomUUID());
    return switch (name) {
      case "file" -> LocalFileBootstrapSource::new;
      case "s3" -> scheduler -> S3BootstrapSource.direct(root, options.s3Parts());
      case "s3-throttled" ->
          scheduler -> S3BootstrapSource.throttled(root, options.s3Parts(), options.throttle());
      case "peers" -> scheduler -> PeerBootstrapSource.start(root);
      default -> throw new IllegalArgumentException("no source " + name + "; known: " + SOURCES);
    };
  }

  /** Runs the sources of the options. Blocking. */
  public List<BootstrapRun> run() throws IOException {
    List<SourceFactory> factories = new ArrayList<>();
    for (String name : options.sources()) {
      factories.add(source(name));
    }
    return run(factories);
  }

  /** Runs every source at every concurrency, pipeline then baseline. Blocking. */
  public List<BootstrapRun> run(List<SourceFactory> sources) throws IOException {
    ArchiveCache cache = ArchiveCache.defaultLocation();
    List<CachedArchive> archives = new ArrayList<>();
    for (int i = 1; i <= options.segments(); i++) {
      System.out.printf(
          "segment %d/%d (%d MiB, %s)%n",
          i, options.segments(), options.sizeMiB(), options.codec());
      archives.add(
          cache.archive(SegmentSpec.ofMebibytes(options.sizeMiB(), 1000 + i), options.codec()));
    }
    long expectedBytes = archives.stream().mapToLong(CachedArchive::uncompressedBytes).sum();
    List<BootstrapRun> runs = new ArrayList<>();
    for (SourceFactory factory : sources) {
      try (BootstrapSource source = factory.open(scheduler);
          TransferRuntime runtime =
              new TransferRuntime(
                  "bootstrap",
                  RUNTIME.forParallelTransfers(options.maxConcurrency()),
                  CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                  source.stores())) {
        System.out.printf("source %s: %s%n", source.name(), source.description());
        descriptions.put(source.name(), source.description());
        List<SegmentMetadata> metadata = new ArrayList<>();
        for (CachedArchive archive : archives) {
          metadata.add(
              SegmentMetadata.of(
                  archive.spec().segmentId(),
                  Map.of(
                      SegmentMetadata.CRC, Long.toString(archive.crc()),
                      SegmentMetadata.DOWNLOAD_URL, source.publish(archive),
                      SegmentMetadata.SIZE_IN_BYTES, Long.toString(archive.archiveBytes()))));
        }
        int warmUp = options.maxConcurrency();
        // One unrecorded round of each, so the first measured run is not the one that pays for JIT
        // compilation.
        measure(
            source,
            "pipeline",
            warmUp,
            metadata,
            expectedBytes,
            dir -> pipeline(runtime, source, dir, metadata, warmUp));
        measure(
            source,
            "pinot",
            warmUp,
            metadata,
            expectedBytes,
            dir -> pinot(source, dir, metadata, warmUp));
        for (int concurrency : options.concurrencies()) {
          runs.add(
              report(
                  measure(
                      source,
                      "pipeline",
                      concurrency,
                      metadata,
                      expectedBytes,
                      dir -> pipeline(runtime, source, dir, metadata, concurrency))));
          runs.add(
              report(
                  measure(
                      source,
                      "pinot",
                      concurrency,
                      metadata,
                      expectedBytes,
                      dir -> pinot(source, dir, metadata, concurrency))));
        }
      }
    }
    return runs;
  }

  @FunctionalInterface
  private interface Bootstrap {
    /** Bootstraps into the data dir; returns the bytes written. */
    long run(Path dataDir) throws Exception;
  }

  private BootstrapRun measure(
      BootstrapSource source,
      String implementation,
      int concurrency,
      List<SegmentMetadata> metadata,
      long expectedBytes,
      Bootstrap bootstrap)
      throws IOException {
    Path dataDir =
        Files.createDirectories(options.work())
            .resolve("bootstrap-" + implementation + "-c" + concurrency + "-" + UUID.randomUUID());
    // Start each run from the same state: no garbage of the previous run inflating this one's
    // peaks.
    System.gc();
    long rssAtStart = MemorySampler.residentSetBytes();
    long started = System.nanoTime();
    long bytes;
    MemorySampler.Peaks peaks;
    try (MemorySampler sampler = new MemorySampler(10)) {
      try {
        bytes = bootstrap.run(dataDir);
      } catch (Exception e) {
        throw new IllegalStateException(
            implementation + " bootstrap from " + source.name() + " failed", e);
      }
      sampler.close();
      peaks = sampler.peaks();
    } finally {
      Directories.deleteRecursively(dataDir);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (bytes != expectedBytes) {
      throw new IllegalStateException(
          implementation
              + " bootstrap from "
              + source.name()
              + " wrote "
              + bytes
              + " bytes, expected "
              + expectedBytes);
    }
    return new BootstrapRun(
        source.name(),
        implementation,
        concurrency,
        metadata.size(),
        bytes,
        seconds,
        rssAtStart,
        // The run's window opens with the start reading: RSS may fall below it (pages returned
        // after the GC) before the sampler's first look, which must not read as a lower peak.
        Math.max(rssAtStart, peaks.rss()),
        peaks.direct(),
        peaks.nettyDirect(),
        peaks.heapUsed(),
        MachineInfo.loadAverage());
  }

  private long pipeline(
      TransferRuntime runtime,
      BootstrapSource source,
      Path dataDir,
      List<SegmentMetadata> metadata,
      int concurrency) {
    SegmentDataDirectory directory =
        runtime.dataDirectory(
            dataDir,
            DataDirectoryConfig.defaults().withLimits(concurrency, 0),
            source.peers(),
            null,
            TransferListener.NONE);
    // Everything is asked for at once, as at server start; the data directory's limit queues the
    // rest.
    List<SegmentOutcome> outcomes =
        Flux.fromIterable(metadata)
            // Errors delayed: a failed run ends only once every other segment has finished, leaving
            // nothing in flight.
            .flatMapDelayError(directory::addOrReplace, metadata.size(), 1)
            .collectList()
            .block(Duration.ofHours(1));
    long bytes = 0;
    for (SegmentOutcome outcome : outcomes) {
      SegmentMetadata m =
          metadata.stream()
              .filter(x -> x.segment().equals(outcome.segment()))
              .findFirst()
              .orElseThrow();
      if (outcome.action() != SegmentOutcome.Action.DOWNLOADED || outcome.crc() != m.crc()) {
        throw new IllegalStateException("unexpected outcome " + outcome + " for CRC " + m.crc());
      }
      bytes += outcome.bytes();
    }
    return bytes;
  }

  private long pinot(
      BootstrapSource source, Path dataDir, List<SegmentMetadata> metadata, int concurrency) {
    Scheduler pinotThreads = Schedulers.newBoundedElastic(concurrency, 4096, "pinot-download");
    try {
      return Flux.fromIterable(metadata)
          .flatMapDelayError(
              m ->
                  Mono.fromCallable(() -> pinotDownload(source, dataDir, m))
                      .subscribeOn(pinotThreads),
              concurrency,
              1)
          .reduce(0L, Long::sum)
          .block(Duration.ofHours(1));
    } finally {
      pinotThreads.dispose();
    }
  }

  /**
   * Pinot's {@code BaseTableDataManager} download: the archive to {@code
   * <table>/tmp/<segment>-<uuid>.tar.gz}, untar into a temporary directory, move the segment
   * directory into place, delete the rest.
   */
  private static long pinotDownload(BootstrapSource source, Path dataDir, SegmentMetadata m)
      throws IOException {
    Path tableDir = dataDir.resolve(m.table().toString());
    Path temp =
        Files.createDirectories(
            tableDir.resolve("tmp").resolve(m.segmentName() + "-" + UUID.randomUUID()));
    try {
      Path archive = temp.resolve(m.segmentName() + ".archive");
      source.fetchToFile(m, archive);
      PinotUntar.Result result = PinotUntar.untar(archive, temp.resolve("untar"));
      if (result.crc() != m.crc()) {
        throw new IllegalStateException(
            m.segmentName() + ": CRC " + result.crc() + ", expected " + m.crc());
      }
      Files.move(result.segmentDir(), tableDir.resolve(m.segmentName()));
      return result.bytesWritten();
    } finally {
      Directories.deleteRecursively(temp);
    }
  }

  private static BootstrapRun report(BootstrapRun run) {
    System.out.printf(
        "%-12s %-8s c=%d  %6.2f segments/s  %7.1f MB/s  RSS +%4.0f MiB (peak %5.0f)  direct %6.1f MiB"
            + "  netty %6.1f MiB  heap %5.0f MiB  load %.1f%n",
        run.source(),
        run.implementation(),
        run.concurrency(),
        run.segmentsPerSecond(),
        run.megabytesPerSecond(),
        run.rssGrowthBytes() / 1048576.0,
        run.peakRssBytes() / 1048576.0,
        run.peakDirectBytes() / 1048576.0,
        run.peakNettyDirectBytes() / 1048576.0,
        run.peakHeapUsedBytes() / 1048576.0,
        run.loadAverage());
    return run;
  }

  /** Writes {@code <name>.json} and {@code <name>.png} under the output directory. */
  public void write(List<BootstrapRun> runs, String name) throws IOException {
    Files.createDirectories(options.out());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("measuredAt", Instant.now().toString());
    json.put("machine", MachineInfo.current().asMap());
    json.put("segments", options.segments());
    json.put("segmentMiB", options.sizeMiB());
    json.put("codec", options.codec().name().toLowerCase(Locale.ROOT));
    json.put("concurrencies", options.concurrencies());
    json.put("sources", descriptions);
    json.put("s3ReadPartKiB", options.s3Parts().partSize() / 1024);
    json.put("s3ReadConcurrency", options.s3Parts().concurrency());
    json.put("throttleMBps", options.throttle().bytesPerSecond() / 1e6);
    json.put("throttleLatencyMs", options.throttle().latency().toMillis());
    json.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (BootstrapRun run : runs) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("source", run.source());
      row.put("implementation", run.implementation());
      row.put("concurrency", run.concurrency());
      row.put("segments", run.segments());
      row.put("bytes", run.bytes());
      row.put("seconds", run.seconds());
      row.put("segmentsPerSecond", run.segmentsPerSecond());
      row.put("megabytesPerSecond", run.megabytesPerSecond());
      row.put("rssAtStartMiB", run.rssAtStartBytes() / 1048576.0);
      row.put("peakRssMiB", run.peakRssBytes() / 1048576.0);
      row.put("rssGrowthMiB", run.rssGrowthBytes() / 1048576.0);
      row.put("peakDirectMiB", run.peakDirectBytes() / 1048576.0);
      row.put("peakNettyDirectMiB", run.peakNettyDirectBytes() / 1048576.0);
      row.put("peakHeapUsedMiB", run.peakHeapUsedBytes() / 1048576.0);
      row.put("loadAverage", run.loadAverage());
      rows.add(row);
    }
    json.put("runs", rows);
    Path jsonFile = options.out().resolve(name + ".json");
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(jsonFile.toFile(), json);
    Path png = options.out().resolve(name + ".png");
    BootstrapChart.write(
        runs,
        String.format(
            "Bootstrap of %d x %d MiB %s segments: pipeline vs Pinot-style",
            options.segments(), options.sizeMiB(), options.codec().extension()),
        descriptions,
        png);
    System.out.println("wrote " + jsonFile + " and " + png);
  }
}
