package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit benchmark, tiny (4 MiB, one run, no warm-up), on both deep stores and every way: it
 * completes, each run passed the benchmark's own checks (record DONE with the segment's CRC,
 * download URL = the deep-store object, which exists), and its numbers are sane. No timing
 * assertions: the figures belong in the README, not in a test on a shared machine.
 */
class CommitBenchmarkTest {

  @Test
  void commitsEveryWayOnBothDeepStoresAndWritesResults(@TempDir Path out, @TempDir Path work)
      throws Exception {
    CommitBenchmark.Options options =
        new CommitBenchmark.Options(
            4, 1, 0, CommitBenchmark.DEEP_STORES, CommitBenchmark.WAYS, 2, out, work);
    CommitBenchmark benchmark = new CommitBenchmark(options);

    List<CommitBenchmark.Run> runs = benchmark.run();
    Path json = benchmark.write(runs, "commit-smoke");

    assertThat(runs).hasSize(CommitBenchmark.DEEP_STORES.size() * CommitBenchmark.WAYS.size());
    // A fresh segment per commit (each deep store has its own controller).
    assertThat(runs)
        .extracting(run -> run.deepStore() + "/" + run.segment())
        .doesNotHaveDuplicates();
    assertThat(runs)
        .allSatisfy(
            run -> {
              assertThat(run.segmentBytes()).isEqualTo(4L * 1024 * 1024);
              // gzip of the generated segment: smaller than it, far from empty.
              assertThat(run.archiveBytes()).isPositive().isLessThan(run.segmentBytes());
              assertThat(run.commitMs()).isPositive();
              assertThat(run.deepStoreMs()).isPositive();
              assertThat(run.urlRecordedMs()).isPositive();
              assertThat(run.loadAverage()).isNotNaN();
            });
    // Pinot's way uploads before it commits; the others commit first and upload afterwards.
    assertThat(runs)
        .filteredOn(run -> run.way().equals("pinot"))
        .allSatisfy(run -> assertThat(run.deepStoreMs()).isLessThanOrEqualTo(run.commitMs()));
    assertThat(runs)
        .filteredOn(run -> !run.way().equals("pinot"))
        .allSatisfy(run -> assertThat(run.deepStoreMs()).isGreaterThan(run.commitMs()));
    assertThat(runs)
        .filteredOn(run -> run.way().equals("ours"))
        .allSatisfy(run -> assertThat(run.pollPeriodMs()).isGreaterThanOrEqualTo(0));

    JsonNode written = new ObjectMapper().readTree(json.toFile());
    assertThat(written.get("results")).hasSize(runs.size());
    assertThat(written.get("machine").get("cores").asInt()).isPositive();
    for (String store : CommitBenchmark.DEEP_STORES) {
      assertThat(written.get("medians").get(store).get("pinot").get("commitMs").asDouble())
          .isPositive();
      assertThat(
              written.get("medians").get(store).get("oursVsPinot").get("commitSpeedUp").asDouble())
          .isPositive();
    }
    try (Stream<Path> left = Files.walk(work)) {
      assertThat(left.filter(Files::isRegularFile))
          .as("controller, server, deep store and segments removed")
          .isEmpty();
    }
  }
}
