package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Balanced assignment, ideal state and external view, long-polled notifications, refresh, delete.
 */
class AssignmentTest {

  private static final TableNameWithType EVENTS = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final List<String> SERVERS =
      List.of("Server_s1_8098", "Server_s2_8098", "Server_s3_8098");

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private void threeServersAndTheFixtures() {
    for (String host : List.of("s1", "s2", "s3")) {
      client.register(host, 8098, 8097).block(TIMEOUT);
    }
    client.createTable(EVENTS, 2).block(TIMEOUT);
    PinotFixtures.archives().stream()
        .filter(a -> a.format().equals("tar.gz"))
        .forEach(a -> client.uploadSegment(EVENTS, a.file()).block(TIMEOUT));
  }

  @Test
  void replicationTwoOverThreeServersIsBalancedAndTheViewShowsOnlyReportedStates() {
    assertThat(get(controller.baseUrl(), "/tables/events/idealstate").status()).isEqualTo(404);
    threeServersAndTheFixtures();

    ExternalView ideal = client.idealState("events").block(TIMEOUT);
    Map<String, Map<String, String>> offline =
        ideal.of(TableNameWithType.TableType.OFFLINE).orElseThrow();
    assertThat(offline).hasSize(3);
    Map<String, Integer> load = new HashMap<>();
    offline.forEach(
        (segment, holders) -> {
          assertThat(holders)
              .hasSize(2)
              .allSatisfy((instance, state) -> assertThat(state).isEqualTo("ONLINE"));
          holders.keySet().forEach(h -> load.merge(h, 1, Integer::sum));
        });
    assertThat(load)
        .containsOnlyKeys(SERVERS)
        .allSatisfy((server, n) -> assertThat(n).isEqualTo(2));
    assertThat(
            get(controller.baseUrl(), "/tables/events/idealstate").json().get("REALTIME").isNull())
        .isTrue();

    // Nothing reported yet: Pinot answers 404 when both types are null.
    assertThat(get(controller.baseUrl(), "/tables/events/externalview").status()).isEqualTo(404);
    StepVerifier.create(client.externalView("events"))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);

    String segment = offline.keySet().iterator().next();
    List<String> holders = List.copyOf(new TreeMap<>(offline.get(segment)).keySet());
    SegmentId id = SegmentId.of(PinotFixtures.TABLE, segment);
    client.reportState(holders.get(0), id, SegmentState.ONLINE).block(TIMEOUT);
    client.reportState(holders.get(1), id, SegmentState.ERROR).block(TIMEOUT);

    ExternalView view = client.externalView("events").block(TIMEOUT);
    assertThat(view.of(TableNameWithType.TableType.OFFLINE).orElseThrow())
        .isEqualTo(Map.of(segment, Map.of(holders.get(0), "ONLINE", holders.get(1), "ERROR")));
    assertThat(view.onlineInstances(id)).containsExactly(holders.get(0));
    assertThat(
            get(controller.baseUrl(), "/tables/events/externalview?tableType=OFFLINE")
                .json()
                .get("REALTIME")
                .isNull())
        .isTrue();

    client.dropState(holders.get(1), id).block(TIMEOUT);
    assertThat(client.externalView("events").block(TIMEOUT).states(id))
        .isEqualTo(Map.of(holders.get(0), "ONLINE"));

    // Every server's assignment lists exactly its segments, with their metadata.
    for (String server : SERVERS) {
      Assignment assignment = client.assignment(server, -1, Duration.ZERO).block(TIMEOUT);
      List<String> expected =
          offline.entrySet().stream()
              .filter(e -> e.getValue().containsKey(server))
              .map(Map.Entry::getKey)
              .sorted()
              .toList();
      assertThat(assignment.segments())
          .extracting(SegmentMetadata::segmentName)
          .containsExactlyElementsOf(expected);
      assertThat(assignment.segments()).allSatisfy(m -> assertThat(m.crcIfPresent()).isPresent());
    }
  }

  @Test
  void longPollWakesOnAChangeAndOtherwiseTimesOutWithTheSameVersion() {
    client.register("s1", 8098, 8097).block(TIMEOUT);
    client.createTable(EVENTS, 1).block(TIMEOUT);
    Assignment initial = client.assignment("Server_s1_8098", -1, Duration.ZERO).block(TIMEOUT);
    assertThat(initial.segments()).isEmpty();

    long started = System.nanoTime();
    StepVerifier.create(
            client.assignment("Server_s1_8098", initial.version(), Duration.ofMillis(400)))
        .assertNext(same -> assertThat(same).isEqualTo(initial))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(400));

    // The poll may even be answered before the PUT's own response arrives: the controller wakes
    // pollers as soon as the change is durable, then answers the PUT. So latency is measured from
    // the moment the change is sent.
    java.util.concurrent.atomic.AtomicLong sentAt = new java.util.concurrent.atomic.AtomicLong();
    Mono<Void> change =
        Mono.delay(Duration.ofMillis(300))
            .doOnNext(tick -> sentAt.set(System.nanoTime()))
            .then(
                client.putMetadata(
                    SegmentMetadata.of(
                        SegmentId.of("events_OFFLINE", "peers_only"),
                        Map.of("segment.crc", "42", "segment.download.url", ""))));
    change.subscribe();
    StepVerifier.create(
            client.assignment("Server_s1_8098", initial.version(), Duration.ofSeconds(20)))
        .assertNext(
            next -> {
              long wokeAt = System.nanoTime();
              assertThat(sentAt.get()).as("woke before the change was sent").isNotZero();
              // Woken by the change, not by its own 20 s timeout (latency itself is not a unit-test
              // matter).
              assertThat(Duration.ofNanos(wokeAt - sentAt.get()))
                  .isLessThan(Duration.ofSeconds(10));
              assertThat(next.version()).isGreaterThan(initial.version());
              assertThat(next.segments())
                  .singleElement()
                  .satisfies(
                      m -> {
                        assertThat(m.segmentName()).isEqualTo("peers_only");
                        assertThat(m.downloadUrl()).contains("");
                      });
            })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void refreshingASegmentChangesItsCrcAndBumpsItsHoldersVersions() throws Exception {
    threeServersAndTheFixtures();
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    SegmentId id = SegmentId.of(PinotFixtures.TABLE, fixture.segmentName());
    SegmentMetadata before = client.metadata(id).block(TIMEOUT);
    List<String> holders =
        List.copyOf(client.idealState("events").block(TIMEOUT).states(id).keySet());
    Map<String, Long> versions = new HashMap<>();
    for (String server : SERVERS) {
      versions.put(server, client.assignment(server, -1, Duration.ZERO).block(TIMEOUT).version());
    }

    // The same segment name, other content: a new CRC.
    Map<String, byte[]> files =
        TestArchives.segmentFiles(
            Map.of(
                "v3/columns.psf",
                    new Random(7)
                        .ints(5000)
                        .collect(StringBuilder::new, StringBuilder::append, StringBuilder::append)
                        .toString()
                        .getBytes(StandardCharsets.US_ASCII),
                "v3/metadata.properties",
                    ("segment.name = " + fixture.segmentName() + "\nsegment.total.docs = 5\n")
                        .getBytes(StandardCharsets.UTF_8)));
    Path refreshed = dir.resolve("refreshed.tar.gz");
    Files.write(refreshed, TestArchives.archive(Codec.GZIP, fixture.segmentName(), files));
    String holder = holders.get(0);
    Mono<Assignment> woken =
        client.assignment(holder, versions.get(holder), Duration.ofSeconds(20)).cache();
    woken.subscribe();

    StepVerifier.create(client.uploadSegment(EVENTS, refreshed)).expectComplete().verify(TIMEOUT);

    SegmentMetadata after = client.metadata(id).block(TIMEOUT);
    assertThat(after.crc()).isEqualTo(TestArchives.crcOf(files)).isNotEqualTo(before.crc());
    assertThat(after.fields())
        .containsEntry("segment.total.docs", "5")
        .containsEntry("segment.push.time", before.fields().get("segment.push.time"))
        .containsKey("segment.refresh.time")
        .containsEntry("segment.size.in.bytes", Long.toString(Files.size(refreshed)));
    StepVerifier.create(woken)
        .assertNext(
            a -> {
              assertThat(a.version()).isGreaterThan(versions.get(holder));
              assertThat(a.segments())
                  .filteredOn(m -> m.segment().equals(id))
                  .singleElement()
                  .satisfies(m -> assertThat(m.crc()).isEqualTo(after.crc()));
            })
        .expectComplete()
        .verify(TIMEOUT);
    for (String server : SERVERS) {
      long now = client.assignment(server, -1, Duration.ZERO).block(TIMEOUT).version();
      assertThat(now)
          .as(server)
          .isEqualTo(holders.contains(server) ? versions.get(server) + 1 : versions.get(server));
    }
    assertThat(get(controller.baseUrl(), "/segments/events/" + fixture.segmentName()).body())
        .isEqualTo(Files.readAllBytes(refreshed));

    // Uploading the same bytes again changes nothing and wakes nobody.
    client.uploadSegment(EVENTS, refreshed).block(TIMEOUT);
    assertThat(client.metadata(id).block(TIMEOUT)).isEqualTo(after);

    // Deleting removes it from its holders' assignments.
    client.deleteSegment(id).block(TIMEOUT);
    for (String server : holders) {
      Assignment a = client.assignment(server, -1, Duration.ZERO).block(TIMEOUT);
      assertThat(a.version()).isEqualTo(versions.get(server) + 2);
      assertThat(a.segments()).noneMatch(m -> m.segment().equals(id));
    }
  }

  @Test
  void aServerJoiningLateReceivesTheMissingReplicas() {
    client.register("s1", 8098, 8097).block(TIMEOUT);
    client.createTable(EVENTS, 2).block(TIMEOUT);
    client.uploadSegment(EVENTS, PinotFixtures.archive("tar.gz").file()).block(TIMEOUT);
    assertThat(client.assignment("Server_s1_8098", -1, Duration.ZERO).block(TIMEOUT).segments())
        .hasSize(1);

    client.register("s2", 8098, 8097).block(TIMEOUT);

    assertThat(client.assignment("Server_s2_8098", -1, Duration.ZERO).block(TIMEOUT).segments())
        .hasSize(1);
    assertThat(
            client
                .idealState("events")
                .block(TIMEOUT)
                .of(TableNameWithType.TableType.OFFLINE)
                .orElseThrow()
                .values())
        .allSatisfy(
            holders -> assertThat(holders).containsOnlyKeys("Server_s1_8098", "Server_s2_8098"));
  }
}
