package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;

/**
 * The end-to-end sources with tiny segments: S3 through the in-process S3 API server, peers through
 * a controller and two server daemons, S3 behind the throttling proxy; every run checks its CRCs
 * and byte count, and a source that hands out the wrong bytes fails the benchmark.
 */
class BootstrapSourcesSmokeTest {

  private static final int SEGMENTS = 3;
  private static final int SIZE_MIB = 2;

  private static BootstrapBenchmark.Options options(Path out, Path work, List<String> sources) {
    // 256 KiB parts: each ~1 MiB archive is read with several ranged GETs, as big segments are with
    // 4-8 MiB parts.
    return new BootstrapBenchmark.Options(
        SEGMENTS,
        SIZE_MIB,
        Codec.GZIP,
        List.of(1, 2),
        sources,
        new S3BootstrapSource.ReadParts(256 * 1024, 4),
        new ThrottlingTcpProxy.Throttle(40_000_000, Duration.ofMillis(5)),
        out,
        work);
  }

  @Test
  void s3PeersAndThrottledS3BootstrapWithBothImplementations(@TempDir Path out, @TempDir Path work)
      throws Exception {
    BootstrapBenchmark.Options options = options(out, work, List.of("s3", "peers", "s3-throttled"));
    BootstrapBenchmark benchmark = new BootstrapBenchmark(options);
    AtomicReference<ThrottlingTcpProxy> proxy = new AtomicReference<>();
    List<BootstrapRun> runs;
    try {
      runs =
          benchmark.run(
              List.of(
                  benchmark.source("s3"),
                  benchmark.source("peers"),
                  scheduler -> {
                    S3BootstrapSource throttled =
                        (S3BootstrapSource) benchmark.source("s3-throttled").open(scheduler);
                    proxy.set(throttled.proxy());
                    return throttled;
                  }));
      benchmark.write(runs, "bootstrap-smoke");
    } finally {
      benchmark.close();
    }

    assertThat(runs).hasSize(3 * 2 * 2);
    assertThat(runs).extracting(BootstrapRun::source).containsOnly("s3", "peers", "s3-throttled");
    assertThat(runs)
        .allSatisfy(
            run -> {
              assertThat(run.segments()).isEqualTo(SEGMENTS);
              // measure() already failed the run on a wrong CRC or byte count; this checks it
              // reported them.
              assertThat(run.bytes()).isEqualTo(SEGMENTS * SIZE_MIB * 1024 * 1024L);
              assertThat(run.megabytesPerSecond()).isPositive();
              assertThat(run.peakRssBytes())
                  .isGreaterThanOrEqualTo(run.rssAtStartBytes())
                  .isPositive();
            });
    // The proxy carried the throttled runs, and ranged GETs ran side by side on separate
    // connections.
    assertThat(proxy.get().bytesToClients()).isGreaterThan(2L * 2 * SEGMENTS * 1024 * 1024);
    assertThat(proxy.get().peakOpenConnections()).isGreaterThan(2);

    JsonNode json = new ObjectMapper().readTree(out.resolve("bootstrap-smoke.json").toFile());
    assertThat(json.get("runs")).hasSize(12);
    assertThat(json.get("sources").get("peers").asText()).contains("peer");
    assertThat(Files.size(out.resolve("bootstrap-smoke.png"))).isGreaterThan(1000);
    try (Stream<Path> left = Files.walk(work)) {
      assertThat(left.filter(Files::isRegularFile))
          .as("scratch removed: data dirs, S3 objects, peers")
          .isEmpty();
    }
  }

  @Test
  void aSourceServingAnotherSegmentsBytesFailsTheBenchmark(@TempDir Path out, @TempDir Path work) {
    BootstrapBenchmark benchmark = new BootstrapBenchmark(options(out, work, List.of("file")));
    try {
      assertThatThrownBy(() -> benchmark.run(List.of(MixedUpSource::new)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("bootstrap from file failed");
    } finally {
      benchmark.close();
    }
  }

  /**
   * Publishes each segment under the URL of the archive published before it: valid archives, wrong
   * segments.
   */
  private static final class MixedUpSource implements BootstrapSource {
    private final LocalFileBootstrapSource files;
    private String previous;

    MixedUpSource(Scheduler scheduler) {
      this.files = new LocalFileBootstrapSource(scheduler);
    }

    @Override
    public String name() {
      return "file";
    }

    @Override
    public String publish(CachedArchive archive) {
      String own = files.publish(archive);
      String served = previous == null ? own : previous;
      previous = own;
      return served;
    }

    @Override
    public List<SegmentStore> stores() {
      return files.stores();
    }

    @Override
    public PeerFinder peers() {
      return files.peers();
    }

    @Override
    public void fetchToFile(SegmentMetadata segment, Path target) throws IOException {
      files.fetchToFile(segment, target);
    }

    @Override
    public void close() {
      files.close();
    }
  }
}
