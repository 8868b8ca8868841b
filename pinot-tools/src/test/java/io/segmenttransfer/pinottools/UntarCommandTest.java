package io.segmenttransfer.pinottools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pinot.spi.utils.JsonUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code untar} on the repository's Pinot 1.5.0 fixtures gives exactly the files of their manifest.
 */
class UntarCommandTest {

  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {"tar.gz", "tar.zst"})
  void untarGivesTheFixturesFiles(String kind) throws Exception {
    Path fixtures = fixtures();
    JsonNode segment =
        JsonUtils.fileToJsonNode(fixtures.resolve("manifest.json").toFile()).get("segments").get(0);
    Path archive = fixtures.resolve(segment.get("archives").get(kind).get("file").asText());
    Map<String, String> expected = new TreeMap<>();
    long expectedBytes = 0;
    for (JsonNode file : segment.get("files")) {
      expected.put(file.get("path").asText(), file.get("sha256").asText());
      expectedBytes += file.get("size").asLong();
    }

    ToolRun run =
        ToolRun.of("untar", "--archive", archive.toString(), "--out", work.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JsonUtils.stringToJsonNode(run.out());
    assertThat(json.get("bytes").asLong()).isEqualTo(expectedBytes);
    assertThat(json.get("millis").asLong()).isNotNegative();
    assertThat(SegmentFiles.digests(work)).isEqualTo(expected);
  }

  @Test
  void missingArchiveFailsNamingIt() {
    Path missing = work.resolve("missing.tar.gz");

    ToolRun run = ToolRun.of("untar", "--archive", missing.toString(), "--out", work.toString());

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_FAILED);
    assertThat(run.err()).contains(missing.toString());
  }

  /** The repository's fixtures: the property the parent pom sets, or the path from this module. */
  static Path fixtures() {
    String property = System.getProperty("segmenttransfer.fixtures");
    Path dir = property != null ? Path.of(property) : Path.of("..", "testdata", "pinot-1.5.0");
    assertThat(dir.resolve("manifest.json")).as("Pinot 1.5.0 fixtures").isRegularFile();
    return dir;
  }
}
