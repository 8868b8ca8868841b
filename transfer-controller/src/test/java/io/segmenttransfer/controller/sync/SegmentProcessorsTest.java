package io.segmenttransfer.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.MetadataProperties;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The processors on a real extracted Pinot segment: {@code command} for real (its placeholder, exit
 * codes, output in the cause, timeout with the program killed, cancel), {@code recompress}'s
 * options, the {@code creation.meta} recomputation, where {@code pinot-tools.jar} is found, and the
 * {@code pinot} launcher itself when the jar has been built.
 */
class SegmentProcessorsTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final Scheduler io = Schedulers.newBoundedElastic(4, 100, "processor-test");

  @AfterEach
  void stop() {
    io.dispose();
  }

  private ProcessorContext extracted(Duration timeout) throws Exception {
    return extracted(timeout, TableConfig.of(TABLE, 1));
  }

  private ProcessorContext extracted(Duration timeout, TableConfig config) throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    SegmentId id = new SegmentId(TABLE, fixture.segmentName());
    ExtractionResult result =
        new SegmentExtractor(
                ExtractionConfig.defaults(),
                CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                io)
            .extract(
                new LocalFileSegmentStore(io).read(fixture.file().toUri(), 0),
                ExtractionRequest.of(dir.resolve("work"), id).withExpectedCrc(fixture.crc()))
            .block(Duration.ofSeconds(30));
    return new ProcessorContext(
        id,
        result.directory(),
        dir.resolve("work"),
        config,
        JSON.readTree(
            "{\"schemaName\":\"events\",\"dimensionFieldSpecs\":[{\"name\":\"country\",\"dataType\":\"STRING\"},{\"name\":\"device\",\"dataType\":\"STRING\"},{\"name\":\"page\",\"dataType\":\"STRING\"},{\"name\":\"userId\",\"dataType\":\"LONG\"}],\"metricFieldSpecs\":[{\"name\":\"clicks\",\"dataType\":\"LONG\"},{\"name\":\"revenue\",\"dataType\":\"DOUBLE\"}],\"dateTimeFieldSpecs\":[{\"name\":\"ts\",\"dataType\":\"LONG\",\"format\":\"1:MILLISECONDS:EPOCH\",\"granularity\":\"1:MILLISECONDS\"}]}"),
        "a".repeat(64),
        timeout);
  }

  @Test
  void commandRunsOnTheSegmentDirectoryAndFinishRecomputesTheCrc() throws Exception {
    ProcessorContext context = extracted(Duration.ofSeconds(30));
    long before = PinotFixtures.archive("tar.gz").crc();
    CommandProcessor.of("sh -c 'echo rebuilt >> \"$0/v3/extra.txt\"' {dir}", io)
        .process(context)
        .block(Duration.ofSeconds(30));
    assertThat(context.segmentDir().resolve("v3/extra.txt")).hasContent("rebuilt");

    SegmentFiles.Finished finished =
        SegmentFiles.finish("test", context.segmentDir(), context.tableHash());
    assertThat(finished.creationMeta().crc()).isNotEqualTo(before);
    assertThat(MetadataProperties.tableConfigHash(context.segmentDir())).contains("a".repeat(64));
    // The new creation.meta agrees with the files: core's own copy-and-verify accepts the segment.
    ExtractionResult again =
        new SegmentExtractor(
                ExtractionConfig.defaults(),
                CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                io)
            .extract(
                SegmentArchives.stream(
                    context.segmentDir(),
                    context.segment().segmentName(),
                    finished.creationMeta().creationTimeMs(),
                    Codec.ZSTD,
                    io),
                ExtractionRequest.of(dir.resolve("again"), context.segment())
                    .withExpectedCrc(finished.creationMeta().crc()))
            .block(Duration.ofSeconds(30));
    assertThat(again.crc()).isEqualTo(finished.creationMeta().crc());
    // Recording the same hash again changes nothing.
    assertThat(
            SegmentFiles.finish("test", context.segmentDir(), context.tableHash()).creationMeta())
        .isEqualTo(finished.creationMeta());
  }

  @Test
  void aFailingCommandFailsWithItsExitCodeAndOutput() throws Exception {
    ProcessorContext context = extracted(Duration.ofSeconds(30));
    assertThatThrownBy(
            () ->
                CommandProcessor.of(
                        "sh -c 'echo first; echo \"no index for $0\" >&2; exit 4' {dir}", io)
                    .process(context)
                    .block(Duration.ofSeconds(30)))
        .isInstanceOf(ProcessorFailure.class)
        .hasMessageContaining("exited with 4")
        .hasMessageContaining("first | no index for " + context.segmentDir());
    assertThatThrownBy(
            () ->
                CommandProcessor.of("/no/such/program {dir}", io)
                    .process(context)
                    .block(Duration.ofSeconds(30)))
        .isInstanceOf(ProcessorFailure.class)
        .hasMessageContaining("cannot start /no/such/program");
  }

  @Test
  void aCommandOverItsTimeoutIsKilled() throws Exception {
    // 1.5 s, not less: the program must have written its pid before it is killed, or the check
    // that it is gone has nothing to look at; a loaded machine can take a few hundred ms to start a
    // shell.
    ProcessorContext context = extracted(Duration.ofMillis(1500));
    Path pid = dir.resolve("pid");
    assertThatThrownBy(
            () ->
                CommandProcessor.of("sh -c 'echo $$ > " + pid + "; exec sleep 30'", io)
                    .process(context)
                    .block(Duration.ofSeconds(30)))
        .isInstanceOf(ProcessorFailure.class)
        .hasMessageContaining("did not finish within 1500 ms and was killed");
    long id = Long.parseLong(Files.readString(pid).trim());
    Waits.await("the timed-out program gone")
        .until(() -> ProcessHandle.of(id).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void commandLinesAreSplitAsAShellWouldWithoutTheRest() {
    assertThat(CommandProcessor.words("a 'b c' \"d {dir}\" e\\ f  "))
        .containsExactly("a", "b c", "d {dir}", "e f");
    assertThatThrownBy(() -> CommandProcessor.words("a 'b")).hasMessageContaining("unclosed");
    assertThatThrownBy(() -> ProcessorOptions.command(" "))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void recompressOptionsAreCheckedBeforeAnythingRuns() {
    assertThat(new ProcessorOptions("recompress", "zstd", 19, null).create(io).name())
        .isEqualTo("recompress zstd 19");
    assertThatThrownBy(() -> new ProcessorOptions("recompress", "gzip", 12, null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("12");
    assertThatThrownBy(() -> new ProcessorOptions("recompress", null, null, null))
        .hasMessageContaining("codec");
    assertThat(new ProcessorOptions("recompress", " TAR.ZST ", null, null).create(io).name())
        .startsWith("recompress zstd");
    assertThatThrownBy(() -> new ProcessorOptions("recompress", "brotli", null, null))
        .hasMessageContaining("unknown codec 'brotli': expected zstd, gzip, lz4 or none");
    assertThatThrownBy(() -> new ProcessorOptions("rebuild", null, null, null))
        .hasMessageContaining("unknown processor 'rebuild'");
    assertThatThrownBy(() -> new ProcessorOptions("pinot", null, 3, null))
        .hasMessageContaining("level");
  }

  @Test
  void pinotToolsJarIsFoundByPropertyEnvironmentBesideTheJarOrUpTheTree() throws Exception {
    Path jar = Files.createFile(dir.resolve("given.jar"));
    Map<String, String> none = Map.of();
    assertThat(
            PinotToolsJar.locate(
                Map.of(PinotToolsJar.PROPERTY, jar.toString())::get, none::get, null, dir))
        .isEqualTo(jar);
    assertThat(
            PinotToolsJar.locate(
                none::get, Map.of(PinotToolsJar.ENV, jar.toString())::get, null, dir))
        .isEqualTo(jar);
    assertThatThrownBy(
            () ->
                PinotToolsJar.locate(
                    Map.of(PinotToolsJar.PROPERTY, dir.resolve("missing.jar").toString())::get,
                    none::get,
                    null,
                    dir))
        .hasMessageContaining("missing.jar")
        .hasMessageContaining("mvn package");

    Path lib = Files.createDirectories(dir.resolve("lib"));
    Path beside = Files.createFile(lib.resolve(PinotToolsJar.FILE_NAME));
    assertThat(PinotToolsJar.locate(none::get, none::get, lib.resolve("segment-transfer.jar"), dir))
        .isEqualTo(beside);

    Path checkout = dir.resolve("checkout");
    Path built = checkout.resolve(PinotToolsJar.BUILT);
    Files.createDirectories(built.getParent());
    Files.createFile(built);
    Path deep = Files.createDirectories(checkout.resolve("transfer-server/target"));
    assertThat(PinotToolsJar.locate(none::get, none::get, null, deep)).isEqualTo(built);

    assertThatThrownBy(() -> PinotToolsJar.locate(none::get, none::get, null, dir.resolve("lib")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("mvn package")
        .hasMessageContaining(PinotToolsJar.PROPERTY)
        .hasMessageContaining(PinotToolsJar.ENV);
  }

  @Test
  void thePinotProcessorNeedsASchema() {
    PinotProcessor processor = new PinotProcessor(dir.resolve("pinot-tools.jar"), io);
    assertThatThrownBy(() -> processor.checkTable(TableConfig.of(TABLE, 1), null))
        .hasMessageContaining("POST /schemas");
  }

  /**
   * Runs only where pinot-tools has been built (the root build packages it first and names it to
   * Surefire): a config adding an inverted index, the segment processed by Pinot's own code in the
   * child JVM, its creation.meta recomputed, and Pinot's loader then sees the index and no further
   * preprocessing to do. The integrator's end-to-end test covers the whole sync.
   */
  @Test
  void thePinotProcessorAppliesTheConfigWithPinotsOwnCode() throws Exception {
    Path jar;
    try {
      jar = PinotToolsJar.locate();
    } catch (InvalidRequestException e) {
      jar = null;
    }
    assumeTrue(jar != null, "pinot-tools.jar not built");
    TableConfig inverted =
        TableConfig.parse(
            JSON.readTree(
                "{\"tableName\":\"events_OFFLINE\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"1\",\"timeColumnName\":\"ts\"},\"tenants\":{},\"tableIndexConfig\":{\"loadMode\":\"MMAP\",\"invertedIndexColumns\":[\"page\"]},\"metadata\":{}}"));
    ProcessorContext context = extracted(Duration.ofMinutes(3), inverted);
    long before = PinotFixtures.archive("tar.gz").crc();

    new PinotProcessor(jar, io).process(context).block(Duration.ofMinutes(4));
    SegmentFiles.Finished finished =
        SegmentFiles.finish("test", context.segmentDir(), context.tableHash());

    assertThat(finished.creationMeta().crc()).isNotEqualTo(before);
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process check =
        new ProcessBuilder(
                javaBin.toString(),
                "-jar",
                jar.toString(),
                "check",
                "--segment-dir",
                context.segmentDir().toString(),
                "--table-config",
                context.workDir().resolve("table-config.json").toString(),
                "--schema",
                context.workDir().resolve("schema.json").toString(),
                "--json")
            .redirectErrorStream(true)
            .start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor()).as(out).isZero();
    JsonNode report = JSON.readTree(out);
    assertThat(report.get("needsProcessing").asBoolean()).as(out).isFalse();
    assertThat(report.get("columns").get("page").toString()).contains("inverted_index");
  }
}
