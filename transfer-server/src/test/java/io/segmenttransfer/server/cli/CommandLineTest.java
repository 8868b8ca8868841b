package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Exit code, stdout and stderr of one command line. */
  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out, e);
      }
    }
  }

  static Run run(String... args) {
    CommandLine commandLine = Main.newCommandLine();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void extractsAFixtureAndReportsJson() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    Run run =
        run(
            "extract",
            "--archive",
            fixture.file().toString(),
            "--to",
            dir.toString(),
            "--table",
            "events_OFFLINE",
            "--expect-crc",
            Long.toString(fixture.crc()),
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("segmentName").asText()).isEqualTo(fixture.segmentName());
    assertThat(json.get("crc").asLong()).isEqualTo(fixture.crc());
    assertThat(json.get("files").asInt()).isEqualTo(fixture.files().size());
    assertThat(json.get("bytes").asLong()).isPositive();
    assertThat(json.has("millis")).isTrue();
    assertThat(
            dir.resolve("events_OFFLINE").resolve(fixture.segmentName()).resolve("v3/columns.psf"))
        .exists();
  }

  @Test
  void aCrcMismatchIsOneLineAndExitCodeOne() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    Run run =
        run(
            "extract",
            "--archive",
            fixture.file().toString(),
            "--to",
            dir.toString(),
            "--table",
            "events_OFFLINE",
            "--expect-crc",
            "42");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("expected CRC 42")
        .contains(fixture.segmentName());
    assertThat(dir.resolve("events_OFFLINE").resolve(fixture.segmentName())).doesNotExist();
  }

  @Test
  void badFlagsAndBadValuesExitWithTwo() {
    assertThat(run("extract", "--to", dir.toString()).exitCode()).isEqualTo(2);
    assertThat(run("extract", "--bogus").exitCode()).isEqualTo(2);
    Run badTable =
        run("extract", "--archive", "x.tar.gz", "--to", dir.toString(), "--table", "events");
    assertThat(badTable.exitCode()).isEqualTo(2);
    assertThat(badTable.err()).contains("invalid table name 'events'");
    assertThat(run("no-such-command").exitCode()).isEqualTo(2);
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"extract", "load", "reload", "recover"}) {
      Run help = run(command, "--help");
      assertThat(help.exitCode()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage:");
    }
  }

  @Test
  void loadsKeepsReloadsAndRecovers() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    Path metadata = dir.resolve("metadata.json");
    Files.writeString(
        metadata,
        JSON.writeValueAsString(
            java.util.Map.of(
                "tableNameWithType",
                "events_OFFLINE",
                "segmentName",
                fixture.segmentName(),
                "segment.crc",
                Long.toString(fixture.crc()),
                "segment.download.url",
                fixture.file().toUri().toString())));
    Path data = dir.resolve("data");

    Run load =
        run("load", "--data-dir", data.toString(), "--metadata", metadata.toString(), "--json");
    assertThat(load.exitCode()).as(load.err()).isZero();
    assertThat(load.json().get("action").asText()).isEqualTo("downloaded");
    assertThat(load.json().get("crc").asLong()).isEqualTo(fixture.crc());
    assertThat(load.json().get("attempts").asInt()).isEqualTo(1);
    assertThat(load.json().get("bytesBySource").get(fixture.file().toUri().toString()).asLong())
        .isEqualTo(fixture.size());

    Run again =
        run("load", "--data-dir", data.toString(), "--metadata", metadata.toString(), "--json");
    assertThat(again.json().get("action").asText()).isEqualTo("kept");

    Path segmentDir = data.resolve("events_OFFLINE").resolve(fixture.segmentName());
    var before = DirectorySnapshot.of(segmentDir);
    Run reload =
        run("reload", "--data-dir", data.toString(), "--metadata", metadata.toString(), "--json");
    assertThat(reload.json().get("action").asText()).isEqualTo("reloaded");
    assertThat(DirectorySnapshot.of(segmentDir)).isEqualTo(before);

    Files.move(segmentDir, segmentDir.resolveSibling(fixture.segmentName() + ".segment.bak"));
    Run recover = run("recover", "--data-dir", data.toString(), "--json");
    assertThat(recover.exitCode()).isZero();
    assertThat(recover.json().get("actions").get(0).get("action").asText())
        .isEqualTo("restored backup");
    assertThat(DirectorySnapshot.of(segmentDir)).isEqualTo(before);
  }

  @Test
  void aMalformedMetadataFileIsAUsageError() throws Exception {
    Path metadata = dir.resolve("bad.json");
    Files.writeString(
        metadata,
        "{\"tableNameWithType\": \"events_OFFLINE\", \"segmentName\": \"s\", \"segment.crc\": \"abc\"}");

    Run run =
        run(
            "load",
            "--data-dir",
            dir.resolve("data").toString(),
            "--metadata",
            metadata.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("malformed segment.crc 'abc'");
  }
}
