package io.segmenttransfer.server.cli;

import static io.segmenttransfer.server.cli.CommandLineTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sync} against an embedded controller: the report as JSON and as text, exit 0 for a
 * finished run even with failed segments, 1 when the run cannot be made, 2 for bad flags (nothing
 * sent).
 */
class SyncCommandTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TableNameWithType TABLE = TableNameWithType.parse(PinotFixtures.TABLE);

  @TempDir Path dir;
  private EmbeddedController controller;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    client.createTable(TABLE, 1).block(TIMEOUT);
    for (PinotFixtures.Archive archive : PinotFixtures.archives()) {
      if (archive.format().equals("tar.gz")) {
        client.uploadSegment(TABLE, archive.file()).block(TIMEOUT);
      }
    }
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void recompressPrintsTheReportAsJsonAndExitsZero() throws Exception {
    CommandLineTest.Run run =
        run(
            "sync",
            "--controller",
            controller.baseUrl(),
            "--table",
            "events",
            "--force-reload",
            "--processor",
            "recompress",
            "--codec",
            "lz4",
            "--json");
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode report = run.json();
    assertThat(report.get("status").asText()).isEqualTo("FINISHED");
    assertThat(report.get("processed")).hasSize(3);
    assertThat(report.get("examined").asInt()).isEqualTo(3);
    assertThat(report.get("bytesAfter").asLong()).isPositive();
    String name = report.get("processed").get(0).asText();
    assertThat(
            ControllerClient.create(controller.baseUrl())
                .metadata(new SegmentId(TABLE, name))
                .block(TIMEOUT)
                .fields()
                .get("segment.size.in.bytes"))
        .isNotBlank();
  }

  @Test
  void aRunWithAFailedSegmentStillExitsZeroAndSaysSoInText() {
    String failing = PinotFixtures.archive("tar.gz").segmentName();
    CommandLineTest.Run run =
        run(
            "sync",
            "--controller",
            controller.baseUrl(),
            "--table",
            "events_OFFLINE",
            "--force-reload",
            "--processor",
            "command",
            "--command",
            "sh -c 'case \"$0\" in *" + failing + ") exit 5;; esac' {dir}");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("FINISHED")
        .contains("processed 2")
        .contains("FAILED " + failing + ": ")
        .contains("exited with 5");
  }

  @Test
  void neitherModeFinishesDoingNothing() {
    CommandLineTest.Run run =
        run(
            "sync",
            "--controller",
            controller.baseUrl(),
            "--table",
            "events",
            "--processor",
            "recompress",
            "--codec",
            "zstd");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("processed 0").contains("neither reloadOnly nor forceReload");
  }

  @Test
  void badFlagsExitTwoAndRunsThatCannotBeMadeExitOne() {
    CommandLineTest.Run both =
        run(
            "sync",
            "--controller",
            controller.baseUrl(),
            "--table",
            "events",
            "--reload-only",
            "--force-reload");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.err()).contains("reloadOnly and forceReload");
    CommandLineTest.Run noCodec =
        run(
            "sync",
            "--controller",
            controller.baseUrl(),
            "--table",
            "events",
            "--processor",
            "recompress");
    assertThat(noCodec.exitCode()).isEqualTo(2);
    assertThat(noCodec.err()).contains("codec");

    CommandLineTest.Run unknownTable =
        run(
            "sync",
            "--controller",
            controller.baseUrl(),
            "--table",
            "nosuch",
            "--force-reload",
            "--processor",
            "recompress",
            "--codec",
            "zstd");
    assertThat(unknownTable.exitCode()).isEqualTo(1);
    assertThat(unknownTable.err()).contains("nosuch");
    // No pinot-tools.jar on this machine's test run: the controller refuses, naming what to do.
    CommandLineTest.Run pinot =
        run("sync", "--controller", controller.baseUrl(), "--table", "events", "--force-reload");
    assertThat(pinot.exitCode()).isEqualTo(1);
    // Without pinot-tools.jar (or with the build's property naming one not packaged yet) the
    // controller says how to build it; with it, that the table has no schema.
    assertThat(pinot.err())
        .containsAnyOf(
            "build it with 'mvn package'", "build pinot-tools with 'mvn package'", "POST /schemas");
  }
}
