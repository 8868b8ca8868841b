package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer TLS benchmark end to end on a 1 MiB segment, two short rounds, as a user runs it (its
 * own JVMs): in both modes every way reads the whole archive each time and reports its rate and CPU
 * per GB; with the cores split the serving JVM reports its own CPU too. Not a timed test: the
 * figures are only checked to be there.
 */
class PeerTlsBenchmarkTest {

  private static final int RUNS = 2;
  private static final int REPEAT = 2;

  @Test
  void splitCoresReadsEveryWayFromAServingJvmOfItsOwn(@TempDir Path work) throws Exception {
    List<String> ways = List.of("plain", "tls-openssl", "tls-jdk");
    JsonNode json = run(work.resolve("split"), ways, "--split-cores");

    // Where taskset cannot pin, the mode says so and falls back to shared cores.
    if (!canPin()) {
      assertThat(json.get("mode").asText()).isEqualTo("shared-cores");
      assertThat(json.get("note").asText()).contains("taskset");
    } else {
      assertThat(json.get("mode").asText()).isEqualTo("split-cores");
      assertThat(json.get("note").asText()).isEmpty();
      for (String way : ways) {
        assertThat(values(json.get("ways").get(way).get("serverJvmCpuSecondsPerGb")))
            .as(way + ": the serving JVM's CPU per round")
            .hasSize(RUNS)
            .allSatisfy(cpu -> assertThat(cpu).isNotNegative());
      }
    }
    assertEveryWayReadWholeArchives(json, ways);
    assertThat(work.resolve("split")).doesNotExist();
  }

  @Test
  void sharedCoresReadsEveryWayInOneJvm(@TempDir Path work) throws Exception {
    List<String> ways = List.of("plain", "tls-openssl");
    JsonNode json = run(work.resolve("shared"), ways, "--shared-cores");

    assertThat(json.get("mode").asText()).isEqualTo("shared-cores");
    assertThat(json.get("ways").get("plain").has("serverJvmCpuSecondsPerGb")).isFalse();
    assertEveryWayReadWholeArchives(json, ways);
    assertThat(work.resolve("shared")).doesNotExist();
  }

  private static JsonNode run(Path work, List<String> ways, String mode) throws Exception {
    return JavaChild.runClass(
            PeerTlsBenchmark.class,
            List.of(
                "--mib",
                "1",
                "--runs",
                Integer.toString(RUNS),
                "--repeat",
                Integer.toString(REPEAT),
                "--warmup",
                "2",
                "--ways",
                String.join(",", ways),
                "--work",
                work.toString(),
                mode))
        .json();
  }

  private static void assertEveryWayReadWholeArchives(JsonNode json, List<String> ways) {
    assertThat(json.get("ways").size()).isEqualTo(ways.size());
    long archive = json.get("ways").get("plain").get("archiveBytes").asLong();
    assertThat(archive).isPositive();
    for (String way : ways) {
      JsonNode figures = json.get("ways").get(way);
      assertThat(figures.get("archiveBytes").asLong()).as(way).isEqualTo(archive);
      assertThat(values(figures.get("bytesPerRound")))
          .as(way + ": bytes read per round")
          .containsExactly((double) archive * REPEAT, (double) archive * REPEAT);
      assertThat(values(figures.get("mbPerSecond")))
          .as(way)
          .hasSize(RUNS)
          .allSatisfy(rate -> assertThat(rate).isPositive());
      assertThat(values(figures.get("readerJvmCpuSecondsPerGb")))
          .as(way)
          .hasSize(RUNS)
          .allSatisfy(cpu -> assertThat(cpu).isNotNegative());
    }
    assertThat(json.get("ways").get("plain").get("medianShareOfPlain").asDouble()).isEqualTo(1.0);
  }

  /** Whether {@code taskset} can pin to CPUs 0 and 1 here (then the split must have happened). */
  private static boolean canPin() {
    try {
      for (String cpu : List.of("0", "1")) {
        Process probe = new ProcessBuilder("taskset", "-c", cpu, "true").inheritIO().start();
        if (probe.waitFor() != 0) {
          return false;
        }
      }
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<Double> values(JsonNode array) {
    List<Double> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asDouble()));
    return values;
  }
}
