package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sync benchmark end to end on one small real segment and two servers: its report is coherent
 * (the segment rebuilt once, both servers holding the new CRC, every step and pick-up timed,
 * Pinot's way timed on both replicas) and its JSON written. Not a timed test: the figures are only
 * checked to be there and in order. Skipped when {@code pinot-tools.jar} is not built (a plain
 * {@code mvn test}); the root build packages it first.
 */
class SyncBenchmarkTest {

  @Test
  void rebuildsTheSegmentOnceAndBothServersPickItUp(
      @TempDir Path cache, @TempDir Path out, @TempDir Path work) throws Exception {
    RealSegments real = new RealSegments(cache, JavaChild.pinotToolsJar());
    assumeTrue(real.canBuild(), "pinot-tools.jar not built");
    SyncBenchmark.Options options =
        new SyncBenchmark.Options(List.of(3_000L), 1, 2, 1, 25, real, out, work);
    SyncBenchmark benchmark = new SyncBenchmark(options);

    SyncBenchmark.Outcome outcome = benchmark.run();
    Path file = benchmark.write(outcome, "sync-test");

    assertThat(outcome.servers()).hasSize(2);
    SyncResults.Segment segment = outcome.results().segments().get(0);
    assertThat(outcome.results().segments()).hasSize(1);
    assertThat(outcome.report().processed()).containsExactly(segment.name());
    assertThat(outcome.report().failed()).isEmpty();
    assertThat(segment.rows()).isEqualTo(3_000);
    assertThat(segment.crcAfter()).isNotEqualTo(segment.crcBefore());
    assertThat(segment.archiveBytesAfter()).isPositive();
    SyncResults.Steps steps = segment.ours();
    // Milliseconds: the tiny segment's download and upload may take 0 of them.
    assertThat(steps.downloadMs()).isNotNegative();
    assertThat(steps.processMs()).isPositive();
    assertThat(steps.archiveUploadMs()).isNotNegative();
    assertThat(steps.metadataMs()).isNotNegative();
    assertThat(steps.totalMs())
        .isEqualTo(
            steps.downloadMs() + steps.processMs() + steps.archiveUploadMs() + steps.metadataMs());
    assertThat(segment.pickUpMs()).containsOnlyKeys(outcome.servers());
    assertThat(segment.pickUpMs().values()).allSatisfy(ms -> assertThat(ms).isPositive());
    assertThat(segment.pinot()).containsOnlyKeys(outcome.servers());
    assertThat(segment.pinot().values())
        .allSatisfy(
            t -> {
              assertThat(t.programMs()).isPositive();
              assertThat(t.wallMs()).isGreaterThanOrEqualTo(t.programMs());
            });
    assertThat(outcome.results().convergedMs())
        .isGreaterThanOrEqualTo(
            steps.totalMs()
                + segment.pickUpMs().values().stream().min(Long::compare).orElseThrow());

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.get("segments")).hasSize(1);
    assertThat(json.get("segments").get(0).get("crcAfter").asLong()).isEqualTo(segment.crcAfter());
    assertThat(json.get("totals").get("oursWorkMs").asLong())
        .isEqualTo(outcome.results().oursWorkMs());
    assertThat(json.get("totals").get("pinotWorkMs").asLong()).isPositive();
    assertThat(json.get("loadAverageStartEnd")).hasSize(2);
    assertThat(json.get("machine").get("cores").asInt()).isPositive();
    assertThat(json.get("syncReport").get("status").asText()).isEqualTo("FINISHED");
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).as("the cluster's directories removed").isEmpty();
    }
  }
}
