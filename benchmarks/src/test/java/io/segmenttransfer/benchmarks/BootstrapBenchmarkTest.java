package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.archive.Codec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap harness runs both implementations end to end and writes its JSON and chart. */
class BootstrapBenchmarkTest {

  @Test
  void bootstrapsWithBothImplementationsAndWritesResults(@TempDir Path out, @TempDir Path work)
      throws Exception {
    BootstrapBenchmark.Options defaults = BootstrapBenchmark.Options.defaults(out, work);
    BootstrapBenchmark.Options options =
        new BootstrapBenchmark.Options(
            3,
            2,
            Codec.GZIP,
            List.of(1, 2),
            List.of("file"),
            defaults.s3Parts(),
            defaults.throttle(),
            out,
            work);
    BootstrapBenchmark benchmark = new BootstrapBenchmark(options);

    List<BootstrapRun> runs;
    try {
      runs = benchmark.run();
      benchmark.write(runs, "bootstrap-test");
    } finally {
      benchmark.close();
    }

    assertThat(runs).hasSize(4);
    assertThat(runs)
        .extracting(BootstrapRun::implementation)
        .containsExactly("pipeline", "pinot", "pipeline", "pinot");
    assertThat(runs)
        .allSatisfy(
            run -> {
              assertThat(run.segments()).isEqualTo(3);
              assertThat(run.bytes()).isEqualTo(3 * 2 * 1024 * 1024L);
              assertThat(run.megabytesPerSecond()).isPositive();
              assertThat(run.peakRssBytes()).isPositive();
            });
    JsonNode json = new ObjectMapper().readTree(out.resolve("bootstrap-test.json").toFile());
    assertThat(json.get("runs")).hasSize(4);
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    assertThat(Files.size(out.resolve("bootstrap-test.png"))).isGreaterThan(1000);
    try (Stream<Path> left = Files.walk(work)) {
      assertThat(left.filter(Files::isRegularFile))
          .as("data directories removed after each run")
          .isEmpty();
    }
  }
}
