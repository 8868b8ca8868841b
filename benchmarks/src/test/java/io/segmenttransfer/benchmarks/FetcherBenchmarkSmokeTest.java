package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segmenttransfer.core.archive.Codec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FetcherBenchmark} end to end on a small real segment: Pinot's default HTTP fetcher and the
 * plugin through Pinot's factory in child JVMs on Pinot's own classpath, over a plain and a reset
 * connection, the plugin from S3 too, each result checked against the segment Pinot built (files,
 * sizes, CRC; a mismatch fails the run). Needs what {@code package} builds (pinot-tools.jar, the
 * plugin's shaded jar) and the resolved Pinot classpath; skipped without them, as in a plain {@code
 * mvn test}.
 */
class FetcherBenchmarkSmokeTest {

  /** Small enough to build in seconds. */
  private static final long ROWS = 20_000;

  @TempDir Path cache;

  @TempDir Path work;

  @Test
  void bothSidesFetchTheRealSegmentThroughPinotsFactory() throws Exception {
    RealSegments segments = new RealSegments(cache, JavaChild.pinotToolsJar());
    assumeTrue(segments.canBuild(), "pinot-tools.jar is not built");
    assumeTrue(
        Files.isRegularFile(JavaChild.pinotFetcherJar()), "the pinot-fetcher jar is not built");
    assumeTrue(
        Files.isRegularFile(
            BenchPaths.module().resolve("target").resolve("pinot-1.5-fetchers.classpath")),
        "Pinot 1.5's fetcher classpath is not resolved");
    RealSegments.RealArchive real = segments.archive(ROWS, 1, Codec.GZIP);

    FetcherBenchmark.Options options =
        new FetcherBenchmark.Options(
            ROWS, 1, 150_000_000, Duration.ofMillis(1), List.of("http", "http-reset", "s3"));

    List<FetcherBenchmark.ChildRun> runs = FetcherBenchmark.run(options, real, work);

    assertThat(runs)
        .extracting(r -> r.source() + "/" + r.side())
        .containsExactly(
            "http/pinot", "http/plugin", "http-reset/pinot", "http-reset/plugin", "s3/plugin");
    for (FetcherBenchmark.ChildRun run : runs) {
      assertThat(run.millis()).hasSize(FetcherBenchmark.FETCHES_PER_CHILD);
      if (!run.source().equals("http-reset")) {
        // A healthy link: every fetch succeeded (and checked out) at the first try.
        assertThat(run.failures()).containsOnlyNulls();
        assertThat(run.attempts()).containsOnly(0);
      }
    }
    // The cut connection: the plugin resumed it, one failed try counted as Pinot counts them.
    FetcherBenchmark.ChildRun resumed = runs.get(3);
    assertThat(resumed.failures()).containsOnlyNulls();
    assertThat(resumed.attempts()).containsExactly(0, 1);
    assertThat(FetcherBenchmark.summary(options, runs, real))
        .containsKeys("http", "http-reset", "s3");
  }
}
