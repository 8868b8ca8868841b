package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.local.SegmentSwap;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * End-to-end bootstrap: a fresh server pulls N generated segments from a source into an empty data
 * directory, with 1 to {@code maxConcurrency} downloads at once, once through this project
 * ({@link SegmentDataDirectory#addOrReplace}: download, decompress, untar and verify in one pass)
 * and once the way Pinot does it (copy the archive to a temporary file, untar it with
 * commons-compress, move the segment into place) with the same concurrency. Both check every
 * segment's CRC. Reports segments/s, MB/s, peak RSS and direct memory per run, as JSON and as a
 * chart under {@code benchmarks/results/}.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar io.segmenttransfer.benchmarks.BootstrapBenchmark
 * [--segments 8] [--size 64] [--codec gzip|zstd] [--max-concurrency 8] [--out benchmarks/results]}.
 */
public final class BootstrapBenchmark {

  /** What to run. */
  public record Options(int segments, int sizeMiB, Codec codec, int maxConcurrency, Path out, Path work) {

    public Options {
      if (segments < 1 || sizeMiB < 1 || maxConcurrency < 1) {
        throw new IllegalArgumentException("segments, size and concurrency must be positive");
      }
    }

    static Options parse(String[] args) {
      int segments = 8;
      int size = 64;
      Codec codec = Codec.GZIP;
      int concurrency = 8;
      Path out = BenchPaths.results();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--segments" -> segments = Integer.parseInt(args[++i]);
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--codec" -> codec = Codec.valueOf(args[++i].toUpperCase(Locale.ROOT));
          case "--max-concurrency" -> concurrency = Integer.parseInt(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("usage: BootstrapBenchmark [--segments N] [--size MiB] "
              + "[--codec gzip|zstd] [--max-concurrency C] [--out dir]; unknown argument " + args[i]);
        }
      }
      return new Options(segments, size, codec, concurrency, out, BenchPaths.target().resolve("bench-work"));
    }
  }

  private final Options options;
  private final Scheduler scheduler;

  public BootstrapBenchmark(Options options) {
    this.options = options;
    // Each extraction keeps two workers busy (decode, write) plus the store's reads.
    this.scheduler = Schedulers.newBoundedElastic(4 * options.maxConcurrency() + 4, 4096, "bootstrap");
  }

  public static void main(String[] args) throws IOException {
    Options options = Options.parse(args);
    BootstrapBenchmark benchmark = new BootstrapBenchmark(options);
    try {
      List<BootstrapRun> runs = benchmark.run(List.of(scheduler -> new LocalFileBootstrapSource(scheduler)));
      benchmark.write(runs, "bootstrap-latest");
    } finally {
      benchmark.scheduler.dispose();
    }
  }

  /** Runs every source at every concurrency, pipeline then baseline. Blocking. */
  public List<BootstrapRun> run(List<Function<Scheduler, BootstrapSource>> sources) throws IOException {
    ArchiveCache cache = ArchiveCache.defaultLocation();
    List<CachedArchive> archives = new ArrayList<>();
    for (int i = 1; i <= options.segments(); i++) {
      System.out.printf("segment %d/%d (%d MiB, %s)%n", i, options.segments(), options.sizeMiB(), options.codec());
      archives.add(cache.archive(SegmentSpec.ofMebibytes(options.sizeMiB(), 1000 + i), options.codec()));
    }
    List<BootstrapRun> runs = new ArrayList<>();
    for (Function<Scheduler, BootstrapSource> factory : sources) {
      try (BootstrapSource source = factory.apply(scheduler)) {
        List<SegmentMetadata> metadata = new ArrayList<>();
        for (CachedArchive archive : archives) {
          metadata.add(SegmentMetadata.of(archive.spec().segmentId(), Map.of(
              SegmentMetadata.CRC, Long.toString(archive.crc()),
              SegmentMetadata.DOWNLOAD_URL, source.publish(archive),
              SegmentMetadata.SIZE_IN_BYTES, Long.toString(archive.archiveBytes()))));
        }
        // One unrecorded round of each, so the first measured run is not the one that pays for JIT compilation.
        measure(source, "pipeline", options.maxConcurrency(), metadata,
            dir -> pipeline(source, dir, metadata, options.maxConcurrency()));
        measure(source, "pinot", options.maxConcurrency(), metadata,
            dir -> pinot(source, dir, metadata, options.maxConcurrency()));
        for (int c = 1; c <= options.maxConcurrency(); c++) {
          int concurrency = c;
          runs.add(report(measure(source, "pipeline", c, metadata, dir -> pipeline(source, dir, metadata, concurrency))));
          runs.add(report(measure(source, "pinot", c, metadata, dir -> pinot(source, dir, metadata, concurrency))));
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

  private BootstrapRun measure(BootstrapSource source, String implementation, int concurrency,
      List<SegmentMetadata> metadata, Bootstrap bootstrap) throws IOException {
    Path dataDir = Files.createDirectories(options.work())
        .resolve("bootstrap-" + implementation + "-c" + concurrency + "-" + UUID.randomUUID());
    // Start each run from the same state: no garbage of the previous run inflating this one's peaks.
    System.gc();
    long started = System.nanoTime();
    long bytes;
    MemorySampler.Peaks peaks;
    try (MemorySampler sampler = new MemorySampler(10)) {
      try {
        bytes = bootstrap.run(dataDir);
      } catch (Exception e) {
        throw new IllegalStateException(implementation + " bootstrap from " + source.name() + " failed", e);
      }
      sampler.close();
      peaks = sampler.peaks();
    } finally {
      Directories.deleteRecursively(dataDir);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new BootstrapRun(source.name(), implementation, concurrency, metadata.size(), bytes, seconds,
        peaks.rss(), peaks.direct(), peaks.heapUsed());
  }

  private long pipeline(BootstrapSource source, Path dataDir, List<SegmentMetadata> metadata, int concurrency) {
    SegmentExtractor extractor = new SegmentExtractor(
        ExtractionConfig.defaults(), CrypterRegistry.fromConfig(CrypterConfig.defaults()), scheduler);
    SegmentDownloader downloader =
        new SegmentDownloader(extractor, source.stores(), source.peers(), DownloadConfig.defaults());
    SegmentDataDirectory directory = new SegmentDataDirectory(dataDir, downloader,
        DataDirectoryConfig.defaults().withLimits(concurrency, 0), scheduler, source.peers(), null,
        TransferListener.NONE, SegmentSwap.StepObserver.NONE);
    // Everything is asked for at once, as at server start; the data directory's limit queues the rest.
    List<SegmentOutcome> outcomes = Flux.fromIterable(metadata)
        .flatMap(directory::addOrReplace, metadata.size())
        .collectList()
        .block(Duration.ofHours(1));
    long bytes = 0;
    for (SegmentOutcome outcome : outcomes) {
      SegmentMetadata m = metadata.stream().filter(x -> x.segment().equals(outcome.segment())).findFirst().orElseThrow();
      if (outcome.action() != SegmentOutcome.Action.DOWNLOADED || outcome.crc() != m.crc()) {
        throw new IllegalStateException("unexpected outcome " + outcome + " for CRC " + m.crc());
      }
      bytes += outcome.bytes();
    }
    return bytes;
  }

  private long pinot(BootstrapSource source, Path dataDir, List<SegmentMetadata> metadata, int concurrency) {
    Scheduler pinotThreads = Schedulers.newBoundedElastic(concurrency, 4096, "pinot-download");
    try {
      return Flux.fromIterable(metadata)
          .flatMap(m -> Mono.fromCallable(() -> pinotDownload(source, dataDir, m)).subscribeOn(pinotThreads), concurrency)
          .reduce(0L, Long::sum)
          .block(Duration.ofHours(1));
    } finally {
      pinotThreads.dispose();
    }
  }

  /**
   * Pinot's {@code BaseTableDataManager} download: the archive to {@code <table>/tmp/<segment>-<uuid>.tar.gz},
   * untar into a temporary directory, move the segment directory into place, delete the rest.
   */
  private static long pinotDownload(BootstrapSource source, Path dataDir, SegmentMetadata m) throws IOException {
    Path tableDir = dataDir.resolve(m.table().toString());
    Path temp = Files.createDirectories(tableDir.resolve("tmp").resolve(m.segmentName() + "-" + UUID.randomUUID()));
    try {
      Path archive = temp.resolve(m.segmentName() + ".archive");
      source.fetchToFile(m.downloadUrl().orElseThrow(), archive);
      PinotUntar.Result result = PinotUntar.untar(archive, temp.resolve("untar"));
      if (result.crc() != m.crc()) {
        throw new IllegalStateException(m.segmentName() + ": CRC " + result.crc() + ", expected " + m.crc());
      }
      Files.move(result.segmentDir(), tableDir.resolve(m.segmentName()));
      return result.bytesWritten();
    } finally {
      Directories.deleteRecursively(temp);
    }
  }

  private static BootstrapRun report(BootstrapRun run) {
    System.out.printf("%-6s %-9s c=%d  %6.2f segments/s  %7.1f MB/s  peak RSS %5.0f MiB  direct %6.1f MiB  heap %5.0f MiB%n",
        run.source(), run.implementation(), run.concurrency(), run.segmentsPerSecond(), run.megabytesPerSecond(),
        run.peakRssBytes() / 1048576.0, run.peakDirectBytes() / 1048576.0, run.peakHeapUsedBytes() / 1048576.0);
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
      row.put("peakRssMiB", run.peakRssBytes() / 1048576.0);
      row.put("peakDirectMiB", run.peakDirectBytes() / 1048576.0);
      row.put("peakHeapUsedMiB", run.peakHeapUsedBytes() / 1048576.0);
      rows.add(row);
    }
    json.put("runs", rows);
    Path jsonFile = options.out().resolve(name + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(jsonFile.toFile(), json);
    Path png = options.out().resolve(name + ".png");
    BootstrapChart.write(runs, String.format("Bootstrap of %d x %d MiB %s segments: pipeline vs Pinot-style",
        options.segments(), options.sizeMiB(), options.codec().extension()), png);
    System.out.println("wrote " + jsonFile + " and " + png);
  }
}
