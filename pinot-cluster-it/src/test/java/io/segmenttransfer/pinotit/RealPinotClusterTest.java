package io.segmenttransfer.pinotit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.Waits;
import io.segmenttransfer.server.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * This project's command line against a real Apache Pinot 0.11 cluster (ZooKeeper, controller and a
 * server as separate JVMs) holding the Pinot 1.5.0 fixtures: {@code bootstrap} from Pinot's
 * controller, its fallback to Pinot's server as a peer, and the pre-warm of a Pinot server's data
 * directory with {@code bootstrap --instance}. One cluster for the class: it takes tens of seconds
 * to start on a shared 2-core machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealPinotClusterTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final String RAW = "events";
  private static final TableNameWithType EVENTS = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<PinotFixtures.Archive> FIXTURES =
      PinotFixtures.archives().stream().filter(a -> a.format().equals("tar.gz")).toList();

  private static Path dir;
  private static PinotCluster cluster;
  private static PinotCluster.Server server;
  private static PinotProcess serverProcess;
  private static String firstServerLog;

  @BeforeAll
  static void startPinotWithTheFixtures() throws Exception {
    // Under target/ rather than a temporary directory: the roles' logs stay for whoever reads a
    // failed build (mvn clean removes them).
    dir =
        Files.createDirectories(
            Path.of("target", "pinot-clusters", "run-" + System.currentTimeMillis())
                .toAbsolutePath());
    cluster = PinotCluster.start(dir.resolve("cluster"));
    server = cluster.newServer("server-a");
    serverProcess = cluster.startServer(server);
    cluster.createTable("events-schema.json", "events-offline-table.json");
    FIXTURES.forEach(fixture -> cluster.pushSegment(RAW, fixture.file()));
    awaitOnline(server.instanceId());
    firstServerLog = serverProcess.logText();
  }

  @AfterAll
  static void stopPinot() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void bootstrapFromPinotsControllerGivesTheFixturesFiles() {
    Path data = dir.resolve("bootstrap-controller");

    Run run = bootstrap("--table", RAW, "--data-dir", data.toString(), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = run.json();
    assertThat(json.get("segments").asInt()).isEqualTo(FIXTURES.size());
    assertThat(json.get("downloaded").asInt()).isEqualTo(FIXTURES.size());
    assertThat(json.get("failed").asInt()).isZero();
    assertThat(json.get("retries").asInt()).as("nothing had to be retried").isZero();
    assertThat(json.get("archiveBytes").asLong())
        .as("Pinot's controller serves the pushed archives byte for byte")
        .isEqualTo(FIXTURES.stream().mapToLong(PinotFixtures.Archive::size).sum());
    for (PinotFixtures.Archive fixture : FIXTURES) {
      assertThat(files(segmentDir(data, fixture)))
          .as(fixture.segmentName())
          .isEqualTo(manifest(fixture));
    }
  }

  @Test
  @Order(2)
  void aSegmentGoneFromPinotsDeepStoreComesFromPinotsServerAsAPeer() throws IOException {
    PinotFixtures.Archive victim = FIXTURES.get(1);
    // Pinot 0.11's controller keeps a pushed archive at <controller.data.dir>/<raw
    // table>/<segment>.
    Path deepStoreCopy = cluster.controllerDataDir().resolve(RAW).resolve(victim.segmentName());
    assertThat(deepStoreCopy).as("Pinot controller's copy").isRegularFile();
    Path aside = dir.resolve("aside-" + victim.segmentName());
    Files.move(deepStoreCopy, aside);
    try {
      Path data = dir.resolve("bootstrap-peer");

      Run run = bootstrap("--table", RAW, "--data-dir", data.toString());

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out())
          .containsPattern(
              "downloaded " + victim.segmentName() + " [0-9,]+ bytes \\d+ ms from peer\n")
          .contains("3: 0 kept, 3 downloaded, 0 replaced, 0 failed");
      for (PinotFixtures.Archive fixture : FIXTURES) {
        assertThat(files(segmentDir(data, fixture)))
            .as(fixture.segmentName())
            .isEqualTo(manifest(fixture));
      }
    } finally {
      Files.move(aside, deepStoreCopy, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  @Order(3)
  void aPinotServerStartedOnAPrewarmedDataDirectoryLoadsEverySegmentWithoutDownloading()
      throws Exception {
    // Control: the server's first start, on an empty directory, downloaded every segment, and
    // said so in the lines this test looks for below.
    for (PinotFixtures.Archive fixture : FIXTURES) {
      assertThat(firstServerLog)
          .contains("Download segment: " + fixture.segmentName() + " of table: " + EVENTS)
          .contains("Downloaded tarred segment: " + fixture.segmentName());
    }
    cluster.stop(serverProcess);
    deleteTree(server.dataDir().resolve(PinotFixtures.TABLE));

    Run run =
        bootstrap(
            "--table",
            RAW,
            "--instance",
            server.instanceId(),
            "--data-dir",
            server.dataDir().toString(),
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.json().get("downloaded").asInt()).isEqualTo(FIXTURES.size());
    Map<Path, Object> fileKeys = fileKeys(server.dataDir().resolve(PinotFixtures.TABLE));
    assertThat(fileKeys).isNotEmpty();

    serverProcess = cluster.startServer(server);
    awaitOnline(server.instanceId());

    String log = serverProcess.logText();
    for (PinotFixtures.Archive fixture : FIXTURES) {
      assertThat(log)
          .as("the restarted server's log")
          .contains(
              "Loaded existing segment: "
                  + fixture.segmentName()
                  + " of table: "
                  + EVENTS
                  + " with crc: "
                  + fixture.crc());
      assertThat(files(segmentDir(server.dataDir(), fixture))).isEqualTo(manifest(fixture));
    }
    assertThat(log).doesNotContain("Download segment").doesNotContain("Downloaded tarred segment");
    assertThat(fileKeys(server.dataDir().resolve(PinotFixtures.TABLE)))
        .as("the very files bootstrap wrote (same inodes): nothing was replaced")
        .isEqualTo(fileKeys);
  }

  @Test
  @Order(4)
  void aPeerCopyThatPinotRewroteOnLoadIsRefusedForItsStaleCrc() throws IOException {
    // A table whose config lacks the range index the fixtures were built with: Pinot's server
    // removes it on load, rewriting the segment's files, and keeps creation.meta's CRC as it was.
    cluster.createTable("rewritten-schema.json", "rewritten-offline-table.json");
    PinotFixtures.Archive fixture = FIXTURES.get(0);
    cluster.pushSegment("rewritten", fixture.file());
    TableNameWithType rewritten = TableNameWithType.parse("rewritten_OFFLINE");
    awaitOnline("rewritten", List.of(new SegmentId(rewritten, fixture.segmentName())));
    assertThat(serverProcess.logText())
        .contains("Removed existing range index from segment: " + fixture.segmentName());
    Files.delete(cluster.controllerDataDir().resolve("rewritten").resolve(fixture.segmentName()));
    Path data = dir.resolve("bootstrap-rewritten");

    Run run =
        bootstrap(
            "--table", "rewritten", "--data-dir", data.toString(), "--peer-rounds", "1", "--json");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.json().get("failures").get(0).asText())
        .startsWith(fixture.segmentName() + ": ")
        .contains(
            server.adminUrl() + "/segments/rewritten_OFFLINE/" + fixture.segmentName(),
            "does not match computed CRC")
        .contains("creation.meta CRC " + fixture.crc() + " does not match computed CRC");
    assertThat(data.resolve("rewritten_OFFLINE").resolve(fixture.segmentName()))
        .as("nothing partial left")
        .doesNotExist();
  }

  // ------------------------------------------------------------------ helpers

  /** A command line run in this JVM, with what it printed. */
  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out, e);
      }
    }
  }

  private static Run bootstrap(String... args) {
    List<String> all =
        new ArrayList<>(List.of("bootstrap", "--controller", cluster.controllerUrl()));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  /** Runs the command line in-process with System.out and System.err captured. */
  private static synchronized Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    int exitCode;
    try {
      exitCode = Main.run(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(
        exitCode,
        outBytes.toString(StandardCharsets.UTF_8),
        errBytes.toString(StandardCharsets.UTF_8));
  }

  /** Waits until Pinot's external view has every fixture ONLINE on the instance. */
  private static void awaitOnline(String instanceId) {
    awaitOnline(
        RAW,
        FIXTURES.stream().map(f -> new SegmentId(EVENTS, f.segmentName())).toList(),
        instanceId);
  }

  /** Waits until Pinot's external view has the segments ONLINE on the cluster's server. */
  private static void awaitOnline(String rawTable, List<SegmentId> segments) {
    awaitOnline(rawTable, segments, server.instanceId());
  }

  private static void awaitOnline(String rawTable, List<SegmentId> segments, String instanceId) {
    ControllerClient client = ControllerClient.create(cluster.controllerUrl());
    Waits.await(segments + " ONLINE on " + instanceId + " in Pinot's external view")
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        // A server can answer /health and still die starting its query listener.
        .failFast(
            "the Pinot server exited; its log: " + serverProcess.log(),
            () -> !serverProcess.isAlive())
        .ignoreExceptions()
        .until(
            () -> {
              ExternalView view = client.externalView(rawTable).block(Duration.ofSeconds(30));
              return segments.stream()
                  .allMatch(segment -> view.onlineInstances(segment).contains(instanceId));
            });
  }

  private static Path segmentDir(Path dataDir, PinotFixtures.Archive fixture) {
    return dataDir.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName());
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
    return files;
  }

  /** Every regular file under the table directory with its file key (device and inode). */
  private static Map<Path, Object> fileKeys(Path tableDir) throws IOException {
    Map<Path, Object> keys = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(tableDir)) {
      // Segment directories only: Pinot empties and reuses the table's tmp directory itself.
      for (Path path :
          paths
              .filter(Files::isRegularFile)
              .filter(p -> !tableDir.relativize(p).startsWith("tmp"))
              .toList()) {
        keys.put(
            tableDir.relativize(path),
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey());
      }
    }
    return keys;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
