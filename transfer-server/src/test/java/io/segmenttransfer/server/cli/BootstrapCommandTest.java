package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * {@code bootstrap} against a real embedded controller, a real server as the peer, and the Pinot
 * fixtures.
 */
class BootstrapCommandTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TableNameWithType EVENTS = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;
  private final List<PinotFixtures.Archive> fixtures =
      PinotFixtures.archives().stream().filter(a -> a.format().equals("tar.gz")).toList();

  @BeforeEach
  void startControllerWithTheFixtures() {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(dir.resolve("controller")).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
    client.createTable(EVENTS, 1).block(TIMEOUT);
    fixtures.forEach(a -> client.uploadSegment(EVENTS, a.file()).block(TIMEOUT));
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private CommandLineTest.Run bootstrap(Path data, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "bootstrap", "--controller", controller.baseUrl(), "--data-dir", data.toString()));
    args.addAll(List.of(more));
    return CommandLineTest.run(args.toArray(String[]::new));
  }

  @Test
  void downloadsEverySegmentWithExactFilesThenKeepsThemOnASecondRun() {
    Path data = dir.resolve("data");

    CommandLineTest.Run first = bootstrap(data, "--table", "events", "--json");

    assertThat(first.exitCode()).as(first.err()).isZero();
    JsonNode json = first.json();
    assertThat(json.get("table").asText()).isEqualTo("events");
    assertThat(json.get("segments").asInt()).isEqualTo(3);
    assertThat(json.get("downloaded").asInt()).isEqualTo(3);
    assertThat(json.get("kept").asInt()).isZero();
    assertThat(json.get("failed").asInt()).isZero();
    assertThat(json.get("failures")).isEmpty();
    long segmentBytes =
        fixtures.stream()
            .flatMap(a -> a.files().values().stream())
            .mapToLong(PinotFixtures.FileEntry::size)
            .sum();
    assertThat(json.get("bytes").asLong()).isEqualTo(segmentBytes);
    assertThat(json.get("archiveBytes").asLong())
        .isEqualTo(fixtures.stream().mapToLong(PinotFixtures.Archive::size).sum());
    assertThat(json.get("sources").get("controller").asInt()).isEqualTo(3);
    assertThat(json.get("sources").size()).isEqualTo(1);
    assertThat(json.get("retries").asInt()).isZero();
    assertThat(json.get("megabytesPerSecond").asDouble()).isPositive();
    for (PinotFixtures.Archive fixture : fixtures) {
      assertThat(files(data.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName())))
          .as(fixture.segmentName())
          .isEqualTo(manifest(fixture));
    }

    CommandLineTest.Run second = bootstrap(data, "--table", PinotFixtures.TABLE, "--json");

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.json().get("kept").asInt()).isEqualTo(3);
    assertThat(second.json().get("downloaded").asInt()).isZero();
    assertThat(second.json().get("bytes").asLong()).isZero();
    assertThat(second.json().get("archiveBytes").asLong()).isZero();
    assertThat(second.json().get("sources")).isEmpty();
  }

  @Test
  void aSegmentMissingFromTheDeepStoreComesFromTheServerHoldingItOnline() throws Exception {
    ServerConfig config =
        new ServerConfig(
            URI.create(controller.baseUrl()),
            dir.resolve("server"),
            "127.0.0.1",
            0,
            null,
            null,
            4,
            0,
            8,
            0,
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            null,
            null);
    try (SegmentServer server = SegmentServer.start(config).block(TIMEOUT)) {
      server.bootstrapped().then(online(fixtures.size())).block(TIMEOUT);
      PinotFixtures.Archive victim = fixtures.get(1);
      Files.delete(deepStoreArchive(victim));
      Path data = dir.resolve("data");

      CommandLineTest.Run run = bootstrap(data, "--table", "events");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out())
          .containsPattern(
              "downloaded " + victim.segmentName() + " [0-9,]+ bytes \\d+ ms from peer\n");
      for (PinotFixtures.Archive other : List.of(fixtures.get(0), fixtures.get(2))) {
        assertThat(run.out())
            .containsPattern(
                "downloaded " + other.segmentName() + " [0-9,]+ bytes \\d+ ms from controller\n");
      }
      assertThat(run.out())
          .contains("sources     controller 2 segments, peer 1 segment")
          .contains("3: 0 kept, 3 downloaded, 0 replaced, 0 failed")
          .contains("retries     1");
      for (PinotFixtures.Archive fixture : fixtures) {
        assertThat(files(data.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName())))
            .isEqualTo(manifest(fixture));
      }
    }
  }

  @Test
  void aSegmentThatExistsNowhereFailsAloneAndIsListed() throws Exception {
    PinotFixtures.Archive victim = fixtures.get(0);
    Files.delete(deepStoreArchive(victim));
    Path data = dir.resolve("data");

    CommandLineTest.Run run =
        bootstrap(data, "--table", PinotFixtures.TABLE, "--peer-rounds", "1", "--json");

    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode json = run.json();
    assertThat(json.get("failed").asInt()).isEqualTo(1);
    assertThat(json.get("downloaded").asInt()).isEqualTo(2);
    assertThat(json.get("failures")).hasSize(1);
    assertThat(json.get("failures").get(0).asText())
        .startsWith(victim.segmentName() + ": ")
        .contains("no ONLINE peer holds segment")
        .doesNotContain("\n");
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("1 of 3 segments failed")
        .contains(victim.segmentName());
    assertThat(data.resolve(PinotFixtures.TABLE).resolve(victim.segmentName())).doesNotExist();
    for (PinotFixtures.Archive other : List.of(fixtures.get(1), fixtures.get(2))) {
      assertThat(files(data.resolve(PinotFixtures.TABLE).resolve(other.segmentName())))
          .isEqualTo(manifest(other));
    }
    Path staging = data.resolve(PinotFixtures.TABLE).resolve("tmp");
    if (Files.exists(staging)) {
      try (Stream<Path> left = Files.list(staging)) {
        assertThat(left).as("no staging leftovers").isEmpty();
      }
    }
  }

  @Test
  void metadataFilesBootstrapWithoutAController() throws Exception {
    Path data = dir.resolve("data");
    List<String> args =
        new java.util.ArrayList<>(
            List.of("bootstrap", "--data-dir", data.toString(), "--json", "--metadata"));
    for (PinotFixtures.Archive fixture : fixtures.subList(0, 2)) {
      Path file = dir.resolve(fixture.segmentName() + ".json");
      Files.writeString(
          file,
          JSON.writeValueAsString(
              Map.of(
                  "tableNameWithType",
                  PinotFixtures.TABLE,
                  "segmentName",
                  fixture.segmentName(),
                  "segment.crc",
                  Long.toString(fixture.crc()),
                  "segment.download.url",
                  fixture.file().toUri().toString())));
      args.add(file.toString());
    }

    CommandLineTest.Run run = CommandLineTest.run(args.toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("table").asText()).isEqualTo(PinotFixtures.TABLE);
    assertThat(run.json().get("downloaded").asInt()).isEqualTo(2);
    assertThat(run.json().get("sources").get("deepstore-file").asInt()).isEqualTo(2);
    for (PinotFixtures.Archive fixture : fixtures.subList(0, 2)) {
      assertThat(files(data.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName())))
          .isEqualTo(manifest(fixture));
    }
  }

  @Test
  void badFlagsAndUnknownTablesExitWithTwo() {
    Path data = dir.resolve("data");
    assertThat(
            CommandLineTest.run(
                    "bootstrap", "--controller", controller.baseUrl(), "--table", "events")
                .exitCode())
        .as("no --data-dir")
        .isEqualTo(2);
    assertThat(bootstrap(data).exitCode()).as("neither --table nor --metadata").isEqualTo(2);
    assertThat(bootstrap(data, "--table", "events", "--max-parallel-downloads", "-1").exitCode())
        .isEqualTo(2);
    assertThat(bootstrap(data, "--table", "events", "--peer-rounds", "0").exitCode()).isEqualTo(2);
    assertThat(bootstrap(data, "--table", "events", "--bogus").exitCode()).isEqualTo(2);
    assertThat(
            CommandLineTest.run(
                    "bootstrap",
                    "--controller",
                    "not-a-url",
                    "--table",
                    "events",
                    "--data-dir",
                    data.toString())
                .exitCode())
        .isEqualTo(2);
    assertThat(bootstrap(data, "--table", "events", "--metadata", "x.json").exitCode())
        .isEqualTo(2);
    CommandLineTest.Run unknown = bootstrap(data, "--table", "nosuch");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err().strip()).doesNotContain("\n").contains("no table nosuch");
    CommandLineTest.Run help = CommandLineTest.run("bootstrap", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("Usage:")
        .contains("--max-parallel-downloads")
        .contains("--metadata");
  }

  private Path deepStoreArchive(PinotFixtures.Archive fixture) {
    Path archive =
        dir.resolve("controller")
            .resolve(ControllerConfig.DEFAULT_DEEP_STORE_DIR)
            .resolve(PinotFixtures.TABLE)
            .resolve(fixture.segmentName() + ".tar.gz");
    assertThat(archive).as("the controller's copy").exists();
    return archive;
  }

  /** Completes once every fixture is ONLINE on at least one server. */
  private Mono<Void> online(int segments) {
    return Mono.defer(() -> client.externalView("events"))
        .onErrorResume(SourceNotFoundException.class, e -> Mono.empty())
        .filter(
            view ->
                fixtures.stream()
                    .allMatch(
                        f ->
                            !view.onlineInstances(new SegmentId(EVENTS, f.segmentName()))
                                .isEmpty()))
        .repeatWhenEmpty(repeats -> repeats.delayElements(Duration.ofMillis(50)))
        .then();
  }

  /** Regular files of a segment directory by relative path, with their SHA-256. */
  private static Map<String, String> files(Path segmentDir) {
    Map<String, String> files = new TreeMap<>(DirectorySnapshot.of(segmentDir));
    files.values().removeIf("dir"::equals);
    return files;
  }

  private static Map<String, String> manifest(PinotFixtures.Archive fixture) {
    Map<String, String> files = new TreeMap<>();
    fixture.files().values().forEach(f -> files.put(f.path(), f.sha256()));
    assertThat(files).isNotEmpty();
    return files;
  }
}
