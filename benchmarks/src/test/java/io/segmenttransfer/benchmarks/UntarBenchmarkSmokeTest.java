package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The extraction and compression benchmarks on a tiny synthetic segment (4 MiB), both layouts and
 * both codecs, one iteration each in this JVM: every invocation passes the benchmark's own check
 * after its timed region (the extracted bytes and CRC, or the archive's contents), which fails the
 * run otherwise. No timing assertion. (The synthetic path once read a field before setting it and
 * failed every run; nothing ran it but a person.)
 */
class UntarBenchmarkSmokeTest {

  @Test
  void everyExtractionAndCompressionBenchmarkRunsAndChecksItsOutput() throws Exception {
    Collection<RunResult> results =
        new Runner(
                new OptionsBuilder()
                    .include(
                        UntarBenchmark.class.getName()
                            + ".(pipelineFromFile|pinotUntarFromFile|compressOurs|compressPinot)$")
                    .param("sizeMiB", "4")
                    .param("codec", "gzip", "zstd")
                    .param("layout", "single", "parallel")
                    .param("threads", "2")
                    .warmupIterations(0)
                    .measurementIterations(1)
                    .forks(0)
                    .shouldFailOnError(true)
                    .build())
            .run();

    // 4 benchmarks x 2 codecs x 2 layouts.
    assertThat(results).hasSize(16);
    assertThat(results)
        .allSatisfy(result -> assertThat(result.getPrimaryResult().getScore()).isPositive());
  }
}
