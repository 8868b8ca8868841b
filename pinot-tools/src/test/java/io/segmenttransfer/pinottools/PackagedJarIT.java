package io.segmenttransfer.pinottools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pinot.spi.utils.JsonUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code target/pinot-tools.jar}, run as the service runs it ({@code java -jar}, its
 * libraries found through the manifest), after {@code package} (Failsafe).
 */
class PackagedJarIT {

  private static final long TIMEOUT_MINUTES = 5;

  @TempDir Path work;

  /**
   * Every command through the jar once (so its manifest class path is proven complete for each):
   * build-segment with an archive, untar of that archive, process, check.
   */
  @Test
  void everyCommandRunsFromThePackagedJar() throws Exception {
    Path parent = work.resolve("segments");
    Path archive = work.resolve("archive/segment.tar.gz");
    Result build =
        run(
            "build-segment",
            "--out",
            parent.toString(),
            "--rows",
            "20000",
            "--seed",
            "11",
            "--archive",
            "gzip",
            "--archive-out",
            archive.toString());
    assertThat(build.exitCode()).as(build.err()).isZero();
    Path segment = TestSegments.only(parent);

    Path untarred = work.resolve("untarred");
    Result untar = run("untar", "--archive", archive.toString(), "--out", untarred.toString());
    assertThat(untar.exitCode()).as(untar.err()).isZero();
    assertThat(SegmentFiles.digests(untarred.resolve(segment.getFileName().toString())))
        .isEqualTo(SegmentFiles.digests(segment));

    TableFiles changed = TableFiles.changed(work.resolve("config"));
    TableInputs inputs = TableInputs.read(changed.tableConfig(), changed.schema());
    assertThat(
            SegmentIndexReport.of(segment.toFile(), inputs.indexLoadingConfig()).needsProcessing())
        .isTrue();

    Result process = run(ProcessCommandTest.concat("process", changed.options(segment)));

    assertThat(process.exitCode()).as(process.err()).isZero();
    Result check = run(ProcessCommandTest.concat("check", changed.options(segment), "--json"));
    assertThat(check.exitCode()).as(check.err()).isZero();
    JsonNode report = JsonUtils.stringToJsonNode(check.out());
    assertThat(report.get("needsProcessing").asBoolean(true)).isFalse();
    assertThat(report.get("columns").get(EventsTable.CAMPAIGN).toString())
        .contains("inverted_index");
    ProcessCommandTest.assertLoadsWithIndexAndNewColumn(segment, changed);
  }

  @Test
  void badArgumentsExitTwoWithUsage() throws Exception {
    Result run = run("process", "--segment-dir", work.toString());

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_USAGE);
    assertThat(run.err()).contains("Usage: pinot-tools process");
  }

  @Test
  void missingSegmentDirectoryExitsOneWithOneLineNamingIt() throws Exception {
    TableFiles files = TableFiles.asBuilt(work.resolve("config"));
    Path missing = work.resolve("gone");

    Result run = run(ProcessCommandTest.concat("process", files.options(missing)));

    assertThat(run.exitCode()).isEqualTo(PinotTools.EXIT_FAILED);
    assertThat(run.err().strip().lines()).singleElement().asString().contains(missing.toString());
  }

  private Result run(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("segmenttransfer.pinotTools", "target/pinot-tools.jar"));
    assertThat(jar).as("the packaged jar (mvn package)").isRegularFile();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(
          "pinot-tools did not finish in " + TIMEOUT_MINUTES + " min: " + command);
    }
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private record Result(int exitCode, String out, String err) {}
}
