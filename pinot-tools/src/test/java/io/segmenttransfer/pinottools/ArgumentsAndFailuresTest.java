package io.segmenttransfer.pinottools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit-code contract: 2 for bad arguments with usage, 1 for a failure with one line naming it.
 */
class ArgumentsAndFailuresTest {

  @TempDir Path work;

  @Test
  void unknownCommandIsAUsageError() {
    ToolRun run = ToolRun.of("reload");

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_USAGE);
    assertThat(run.err()).contains("reload").contains("Usage:");
  }

  @Test
  void missingRequiredOptionIsAUsageError() {
    ToolRun run = ToolRun.of("process", "--segment-dir", work.toString());

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_USAGE);
    assertThat(run.err()).contains("--table-config").contains("Usage: pinot-tools process");
  }

  @Test
  void archiveWithoutItsOutputFileIsAUsageError() {
    ToolRun run =
        ToolRun.of("build-segment", "--out", work.toString(), "--rows", "10", "--archive", "zstd");

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_USAGE);
    assertThat(run.err()).contains("--archive-out");
  }

  @Test
  void unknownCodecAndNonPositiveRowsAreUsageErrors() {
    assertThat(
            ToolRun.of(
                    "build-segment",
                    "--out",
                    work.toString(),
                    "--rows",
                    "10",
                    "--archive",
                    "lzma",
                    "--archive-out",
                    work.resolve("a").toString())
                .exitCode())
        .isEqualTo(PinotTools.EXIT_USAGE);
    assertThat(ToolRun.of("build-segment", "--out", work.toString(), "--rows", "0").exitCode())
        .isEqualTo(PinotTools.EXIT_USAGE);
  }

  @Test
  void missingSegmentDirectoryFailsWithOneLineNamingIt() throws Exception {
    TableFiles files = TableFiles.asBuilt(work.resolve("config"));
    Path missing = work.resolve("no-such-segment");

    for (String command : new String[] {"process", "check"}) {
      ToolRun run = ToolRun.of(ProcessCommandTest.concat(command, files.options(missing)));

      assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_FAILED);
      assertThat(run.err().strip()).doesNotContain("\n").contains(missing.toString());
      assertThat(run.err()).startsWith(command + " failed: ");
    }
  }

  @Test
  void pinotFailureOnASegmentNamesTheSegmentAndPinotsReason() throws Exception {
    Path segment = Files.createDirectories(work.resolve("broken-segment"));
    Files.writeString(segment.resolve("metadata.properties"), "segment.name = x\n");
    TableFiles files = TableFiles.asBuilt(work.resolve("config"));

    ToolRun run = ToolRun.of(ProcessCommandTest.concat("process", files.options(segment)));

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_FAILED);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .startsWith("process failed: segment " + segment + ": ")
        .contains("segment.total.docs");
  }

  @Test
  void unreadableTableConfigFailsNamingTheFile() throws Exception {
    Path segment = Files.createDirectories(work.resolve("segment"));
    Files.writeString(segment.resolve("metadata.properties"), "segment.name = x\n");
    TableFiles files = TableFiles.asBuilt(work.resolve("config"));
    Files.writeString(files.tableConfig(), "{ not json");

    ToolRun run = ToolRun.of(ProcessCommandTest.concat("process", files.options(segment)));

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_FAILED);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("table config")
        .contains(files.tableConfig().toString());
  }
}
