package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bootstrap --instance}: exactly the segments the embedded controller's ideal state assigns
 * to one instance, in Pinot's layout. (The same against a real Pinot controller and server:
 * pinot-cluster-it.)
 */
class BootstrapInstanceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TableNameWithType EVENTS = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final List<String> INSTANCES =
      List.of("Server_127.0.0.1_19001", "Server_127.0.0.1_19002");

  @TempDir Path dir;
  private EmbeddedController controller;
  private final List<PinotFixtures.Archive> fixtures =
      PinotFixtures.archives().stream().filter(a -> a.format().equals("tar.gz")).toList();

  @BeforeEach
  void twoInstancesShareTheFixtures() {
    controller =
        EmbeddedController.start(ControllerConfig.defaults(dir.resolve("controller")).withPort(0));
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    // Registered only (nobody serves on these ports): the ideal state is what matters here.
    client.register("127.0.0.1", 19001, 19101).block(TIMEOUT);
    client.register("127.0.0.1", 19002, 19102).block(TIMEOUT);
    client.createTable(EVENTS, 1).block(TIMEOUT);
    fixtures.forEach(a -> client.uploadSegment(EVENTS, a.file()).block(TIMEOUT));
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void eachInstanceGetsExactlyWhatTheIdealStateAssignsIt() throws Exception {
    ExternalView idealState =
        ControllerClient.create(controller.baseUrl()).idealState("events").block(TIMEOUT);
    Set<String> seen = new TreeSet<>();
    for (String instance : INSTANCES) {
      Set<String> expected = assignedTo(idealState, instance);
      Path data = dir.resolve(instance);

      CommandLineTest.Run run =
          bootstrap(data, "--table", "events", "--instance", instance, "--json");

      assertThat(run.exitCode()).as(run.err()).isZero();
      JsonNode json = run.json();
      assertThat(json.get("segments").asInt()).as(instance).isEqualTo(expected.size());
      assertThat(json.get("downloaded").asInt()).isEqualTo(expected.size());
      assertThat(segmentDirectories(data.resolve(PinotFixtures.TABLE))).isEqualTo(expected);
      for (PinotFixtures.Archive fixture : fixtures) {
        if (expected.contains(fixture.segmentName())) {
          assertThat(files(data.resolve(PinotFixtures.TABLE).resolve(fixture.segmentName())))
              .isEqualTo(manifest(fixture));
        }
      }
      seen.addAll(expected);
    }
    // Replication 1 over two instances: the segments are split, and together they are all there.
    assertThat(seen).hasSize(fixtures.size());
    assertThat(INSTANCES).allSatisfy(i -> assertThat(assignedTo(idealState, i)).isNotEmpty());
  }

  @Test
  void theTypedTableNameSelectsTheSameSegments() {
    ExternalView idealState =
        ControllerClient.create(controller.baseUrl()).idealState("events").block(TIMEOUT);
    Path data = dir.resolve("typed");

    CommandLineTest.Run run =
        bootstrap(data, "--table", PinotFixtures.TABLE, "--instance", INSTANCES.get(1), "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(segmentDirectories(data.resolve(PinotFixtures.TABLE)))
        .isEqualTo(assignedTo(idealState, INSTANCES.get(1)));
  }

  @Test
  void anInstanceTheIdealStateDoesNotNameIsRefusedWithTheOnesItDoes() {
    Path data = dir.resolve("data");

    CommandLineTest.Run run =
        bootstrap(data, "--table", "events", "--instance", "Server_127.0.0.1_9999");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip())
        .doesNotContain("\n")
        .contains("assigns nothing to instance Server_127.0.0.1_9999")
        .contains(INSTANCES.get(0))
        .contains(INSTANCES.get(1));
    assertThat(data.resolve(PinotFixtures.TABLE)).doesNotExist();

    CommandLineTest.Run withMetadata =
        CommandLineTest.run(
            "bootstrap",
            "--data-dir",
            data.toString(),
            "--instance",
            INSTANCES.get(0),
            "--metadata",
            dir.resolve("x.json").toString());
    assertThat(withMetadata.exitCode()).isEqualTo(2);
    assertThat(withMetadata.err()).contains("--instance reads the controller's ideal state");
  }

  private CommandLineTest.Run bootstrap(Path data, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "bootstrap", "--controller", controller.baseUrl(), "--data-dir", data.toString()));
    args.addAll(List.of(more));
    return CommandLineTest.run(args.toArray(String[]::new));
  }

  private static Set<String> assignedTo(ExternalView idealState, String instance) {
    Set<String> assigned = new TreeSet<>();
    idealState
        .of(TableType.OFFLINE)
        .orElseThrow()
        .forEach(
            (segment, states) -> {
              if ("ONLINE".equals(states.get(instance))) {
                assigned.add(segment);
              }
            });
    return assigned;
  }

  /** The segment directories of a table directory (not its staging directory). */
  private static Set<String> segmentDirectories(Path tableDir) {
    try (Stream<Path> children = Files.list(tableDir)) {
      Set<String> names = new TreeSet<>();
      children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(name -> !name.equals("tmp"))
          .forEach(names::add);
      return names;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

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
}
