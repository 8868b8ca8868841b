package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pinot.common.utils.fetcher.SegmentFetcherFactory;
import org.apache.pinot.spi.env.PinotConfiguration;

/**
 * Pinot's default fetchers against this plugin, both through Pinot's {@link SegmentFetcherFactory}
 * and its streamed download-and-untar ({@code fetchAndStreamUntarToLocal}), on the same archive:
 * from a local file (Pinot's {@code PinotFSSegmentFetcher} over its local file system) and from an
 * HTTP peer (Pinot's {@code HttpSegmentFetcher}). Rounds alternate between the two so that the
 * shared machine's load hits both alike; the median is reported.
 *
 * <p>Lives in pinot-fetcher's test sources, where Pinot's jars already are ({@code provided}), so
 * that they never join the benchmarks module's (the service's) classpath. S3 is not compared:
 * Pinot's S3 file system is a separate plugin (pinot-s3) whose AWS SDK would meet this project's in
 * one JVM. Run: {@code java -cp "$(cat pinot-fetcher/target/test-classpath.txt)"
 * io.segmenttransfer.pinotfetcher.FetcherComparison [MB] [rounds]}.
 */
public final class FetcherComparison {

  private static final String SEGMENT = "events_1_2_0";

  private FetcherComparison() {}

  public static void main(String[] args) throws Exception {
    int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path work = Files.createTempDirectory("fetcher-comparison");
    try {
      // Mixed compressibility (random and repetitive files), as TestArchives builds segments.
      Map<String, byte[]> files =
          TestArchives.segmentFiles(
              TestArchives.randomSegment(new Random(42), 16, megabytes * 1024 * 1024 / 8));
      long uncompressed = files.values().stream().mapToLong(b -> b.length).sum();
      Path archive = work.resolve("archives").resolve(SEGMENT + ".tar.gz");
      Files.createDirectories(archive.getParent());
      Files.write(archive, TestArchives.archive(Codec.GZIP, SEGMENT, files));
      System.out.printf(
          Locale.ROOT,
          "segment: %d files, %.1f MB uncompressed, archive %.1f MB (tar.gz)%n",
          files.size(),
          uncompressed / 1e6,
          Files.size(archive) / 1e6);
      try (ArchiveHttpServer http = new ArchiveHttpServer(archive.getParent())) {
        Map<String, URI> sources = new LinkedHashMap<>();
        sources.put("file", archive.toUri());
        sources.put("http", http.uri(http.port(), archive.getFileName().toString()));
        for (Map.Entry<String, URI> source : sources.entrySet()) {
          List<Double> pinot = new ArrayList<>();
          List<Double> ours = new ArrayList<>();
          for (int round = 0; round < rounds; round++) {
            pinot.add(run(source.getKey(), source.getValue(), false, work));
            ours.add(run(source.getKey(), source.getValue(), true, work));
          }
          double p = median(pinot);
          double o = median(ours);
          System.out.printf(
              Locale.ROOT,
              "%-5s Pinot default %6.2f s (%6.1f MB/s)   plugin %6.2f s (%6.1f MB/s)   x%.2f   runs: %s / %s%n",
              source.getKey(),
              p,
              uncompressed / 1e6 / p,
              o,
              uncompressed / 1e6 / o,
              p / o,
              pinot,
              ours);
        }
      }
    } finally {
      delete(work);
    }
    System.exit(0);
  }

  /** One streamed fetch through the factory, with Pinot's default or this plugin; seconds. */
  private static double run(String protocol, URI uri, boolean plugin, Path work) throws Exception {
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("protocols", protocol);
    if (plugin) {
      keys.put(protocol + ".class", SegmentTransferFetcher.class.getName());
    }
    SegmentFetcherFactory.init(new PinotConfiguration(keys));
    Path dest = work.resolve("dest-" + System.nanoTime());
    Files.createDirectories(dest);
    try {
      long start = System.nanoTime();
      File segment =
          SegmentFetcherFactory.fetchAndStreamUntarToLocal(
              uri.toString(), dest.toFile(), -1, new AtomicInteger());
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!segment.toPath().resolve("v3/creation.meta").toFile().isFile()) {
        throw new IllegalStateException("no segment in " + segment);
      }
      return Math.round(seconds * 100) / 100.0;
    } finally {
      if (SegmentFetcherFactory.getSegmentFetcher(protocol) instanceof SegmentTransferFetcher f) {
        f.close();
      }
      delete(dest);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.naturalOrder());
    return sorted.get(sorted.size() / 2);
  }

  private static void delete(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
