package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segmenttransfer.core.archive.Codec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network-path benchmark end to end on a tiny real Pinot segment: every way (file, HTTP, S3,
 * peer, Pinot's download-then-untar) moves it warm and in a fresh JVM, each transfer checked
 * against the segment's CRC (a wrong one fails the run). Not a timed test: the figures are only
 * checked to be there. Skipped when {@code pinot-tools.jar} is not built (a plain {@code mvn
 * test}); the root build packages it first.
 */
class NetworkPathBenchmarkTest {

  private static final List<String> WAYS =
      List.of(
          NetworkPathBenchmark.FILE,
          NetworkPathBenchmark.HTTP,
          NetworkPathBenchmark.S3,
          NetworkPathBenchmark.PEER,
          NetworkPathBenchmark.PEER_TAR,
          NetworkPathBenchmark.PINOT);

  @Test
  void everyWayMovesARealSegmentWarmAndCold(@TempDir Path cache) throws Exception {
    RealSegments real = new RealSegments(cache, JavaChild.pinotToolsJar());
    assumeTrue(real.canBuild(), "pinot-tools.jar not built");
    Map<String, String> options =
        NetworkPathBenchmark.parse(
            new String[] {
              "--real-rows", "3000",
              "--codec", "zstd",
              "--warmup", "0",
              "--warm", "2",
              "--cold", "1",
              "--jar", "none",
              "--ways", String.join(",", WAYS)
            });

    NetworkPathBenchmark.Results results = NetworkPathBenchmark.run(options, real);

    assertThat(results.warm()).containsOnlyKeys(WAYS);
    assertThat(results.warm().values()).allSatisfy(times -> assertThat(times).hasSize(2));
    assertThat(results.coldWall())
        .containsOnlyKeys(
            WAYS.stream().map(way -> way + "/" + NetworkPathBenchmark.BENCH).toList());
    results
        .coldWall()
        .forEach(
            (key, wall) -> {
              assertThat(wall).hasSize(1);
              // The child's own time is measured inside the process the wall time spans.
              assertThat(wall.get(0)).isGreaterThan(results.coldOwn().get(key).get(0));
            });
  }

  @Test
  void theRealSegmentIsTheDefaultAndSizeChoosesAGeneratedOne(@TempDir Path cache) {
    RealSegments real = new RealSegments(cache, JavaChild.pinotToolsJar());
    assumeTrue(real.canBuild(), "pinot-tools.jar not built");

    NetworkPathSegment segment =
        NetworkPathBenchmark.segment(Map.of("real-rows", "2000"), Codec.GZIP, real);

    assertThat(segment.table().toString()).isEqualTo(RealSegments.TABLE_WITH_TYPE);
    assertThat(segment.description()).contains("real Pinot segment, 2000 rows");
    assertThat(segment.crc())
        .isEqualTo(real.archive(2000, NetworkPathBenchmark.REAL_SEED, Codec.GZIP).crc());
    assertThatThrownBy(
            () ->
                NetworkPathBenchmark.segment(
                    Map.of("real-rows", "2000", "size", "1"), Codec.GZIP, real))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("give one of them");
  }
}
