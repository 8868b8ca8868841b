package io.segmenttransfer.server.daemon;

import static io.segmenttransfer.server.daemon.DeepStoreTestCluster.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.StaleSegment;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.segment.MetadataProperties;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.testing.NamedObjectObserver;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.Waits;
import io.segmenttransfer.s3.S3SegmentStore;
import io.segmenttransfer.server.InProcessS3;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The deep-store sync end to end: an embedded controller and two server daemons on loopback, with a
 * local and an S3 (S3Proxy) deep store. A schema change makes the copies stale; {@code reloadOnly}
 * rebuilds only what a server reports stale, {@code forceReload} the rest; every rebuilt segment
 * converges (metadata hash, deep-store archive, both servers' copies, which they verified against
 * the new CRC on download) and a further run processes nothing. A failing processor leaves the old
 * copy served; a segment a server is reloading is skipped and reported.
 */
class DeepStoreSyncEndToEndTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEMA =
      "{\"schemaName\":\"events\",\"dimensionFieldSpecs\":[{\"name\":\"country\",\"dataType\":\"STRING\"}]}";
  private static final String COPY_INDEX_MAP = "cp {dir}/v3/index_map {dir}/v3/index_map.copy";

  @TempDir Path dir;

  private static List<PinotFixtures.Archive> fixtures() {
    return PinotFixtures.archives().stream().filter(a -> a.format().equals("tar.gz")).toList();
  }

  private static SegmentId id(PinotFixtures.Archive archive) {
    return new SegmentId(TABLE, archive.segmentName());
  }

  private static EmbeddedController controller(ControllerConfig config, List<SegmentStore> stores) {
    return EmbeddedController.create(
            config
                .withPort(0)
                .withDeepStoreRepair(DeepStoreRepairConfig.defaults().withInterval(Duration.ZERO)),
            stores)
        .block(TIMEOUT);
  }

  private static SyncReport run(DeepStoreTestCluster cluster, String... pairs) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      options.put(pairs[i], pairs[i + 1]);
    }
    SyncReport first = cluster.client.startSync(TABLE, options).block(TIMEOUT);
    AtomicReference<SyncReport> last = new AtomicReference<>(first);
    Waits.await("sync run " + first.runId())
        .until(
            () -> {
              last.set(cluster.client.syncRun(first.runId()).block(TIMEOUT));
              return !last.get().isRunning();
            });
    assertThat(last.get().status()).isEqualTo(SyncReport.FINISHED);
    return last.get();
  }

  private static List<StaleSegment> isStale(SegmentServer server) {
    String body =
        HttpClient.newConnection()
            .get()
            .uri(server.baseUrl() + "/tables/" + TABLE + "/segments/isStale")
            .responseSingle((response, content) -> content.asString())
            .block(TIMEOUT);
    try {
      return StaleSegment.parseList(JSON.readTree(body));
    } catch (java.io.IOException e) {
      throw new AssertionError(body, e);
    }
  }

  /**
   * Waits until both servers hold {@code segment} with the CRC its record names, and returns the
   * record.
   */
  private static SegmentMetadata awaitConverged(
      DeepStoreTestCluster cluster, SegmentId segment, List<SegmentServer> servers) {
    AtomicReference<SegmentMetadata> metadata = new AtomicReference<>();
    Waits.await("both servers holding the rebuilt " + segment.segmentName())
        .until(
            () -> {
              metadata.set(cluster.client.metadata(segment).block(TIMEOUT));
              long crc = metadata.get().crc();
              for (SegmentServer server : servers) {
                Long local =
                    server.directory().localCrcs(TABLE).block(TIMEOUT).get(segment.segmentName());
                if (local == null || local != crc) {
                  return false;
                }
              }
              return true;
            });
    return metadata.get();
  }

  private static String localHash(SegmentServer server, SegmentId segment) throws Exception {
    LocalSegment local = server.directory().localSegment(segment).orElseThrow();
    return MetadataProperties.tableConfigHash(local.directory()).orElse(null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"file", "s3"})
  void reloadOnlyRebuildsWhatServersReportStaleAndForceReloadTheRest(String deepStore)
      throws Exception {
    InProcessS3 s3 = deepStore.equals("s3") ? InProcessS3.start("deep") : null;
    S3SegmentStore s3Store = s3 == null ? null : S3SegmentStore.create(s3.config());
    NamedObjectObserver observer = s3Store == null ? null : new NamedObjectObserver(s3Store);
    ControllerConfig config = ControllerConfig.defaults(dir.resolve("controller"));
    if (s3 != null) {
      config = config.withDeepStore(URI.create("s3://deep/controller"));
    }
    try (DeepStoreTestCluster cluster =
        new DeepStoreTestCluster(
            controller(config, observer == null ? List.of() : List.of(observer)), dir)) {
      cluster.client.createTable(TABLE, 2).block(TIMEOUT);
      List<PinotFixtures.Archive> fixtures = fixtures();
      cluster.client.uploadSegment(TABLE, fixtures.get(0).file()).block(TIMEOUT);
      cluster.client.uploadSegment(TABLE, fixtures.get(1).file()).block(TIMEOUT);
      SegmentServer a = cluster.server("a", null, s3 == null ? null : s3.config());
      SegmentServer b = cluster.server("b", null, s3 == null ? null : s3.config());
      List<SegmentServer> servers = List.of(a, b);
      // A schema arrives after two segments were pushed, and a third segment after it.
      cluster.client.putSchema(JSON.readTree(SCHEMA)).block(TIMEOUT);
      cluster.client.uploadSegment(TABLE, fixtures.get(2).file()).block(TIMEOUT);
      for (PinotFixtures.Archive fixture : fixtures) {
        for (SegmentServer server : servers) {
          cluster.awaitOnline(id(fixture), server.instanceId());
        }
      }
      if (observer != null) {
        observer.watch(() -> namedArchives(cluster));
      }
      String hash = cluster.client.tableConfigState(TABLE).block(TIMEOUT).hash();

      for (SegmentServer server : servers) {
        assertThat(isStale(server))
            .extracting(StaleSegment::segmentName, StaleSegment::isStale)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(fixtures.get(0).segmentName(), true),
                org.assertj.core.groups.Tuple.tuple(fixtures.get(1).segmentName(), true),
                org.assertj.core.groups.Tuple.tuple(fixtures.get(2).segmentName(), false));
      }

      SyncReport reloadOnly =
          run(cluster, "reloadOnly", "true", "processor", "command", "command", COPY_INDEX_MAP);
      assertThat(reloadOnly.processed())
          .containsExactlyInAnyOrder(fixtures.get(0).segmentName(), fixtures.get(1).segmentName());
      assertThat(reloadOnly.skipped())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.segmentName()).isEqualTo(fixtures.get(2).segmentName());
                assertThat(s.reason()).isEqualTo("no server reports it stale");
              });

      SyncReport force =
          run(cluster, "forceReload", "true", "processor", "command", "command", COPY_INDEX_MAP);
      assertThat(force.processed()).containsExactly(fixtures.get(2).segmentName());

      for (PinotFixtures.Archive fixture : fixtures) {
        SegmentMetadata rebuilt = awaitConverged(cluster, id(fixture), servers);
        assertThat(rebuilt.crc()).isNotEqualTo(fixture.crc());
        assertThat(rebuilt.fields().get(SegmentMetadata.TABLE_CONFIG_HASH)).isEqualTo(hash);
        for (SegmentServer server : servers) {
          assertThat(localHash(server, id(fixture))).isEqualTo(hash);
        }
        if (s3Store != null) {
          URI archive = URI.create(rebuilt.downloadUrl().orElseThrow());
          assertThat(archive.getPath()).contains("..r");
          assertThat(s3Store.exists(archive).block(TIMEOUT)).isTrue();
          assertThat(
                  s3Store
                      .exists(
                          URI.create(
                              "s3://deep/controller/"
                                  + TABLE
                                  + "/"
                                  + fixture.segmentName()
                                  + ".tar.gz"))
                      .block(TIMEOUT))
              .isFalse();
        }
      }
      for (SegmentServer server : servers) {
        assertThat(isStale(server)).noneMatch(StaleSegment::isStale);
      }
      SyncReport nothing =
          run(cluster, "forceReload", "true", "processor", "command", "command", COPY_INDEX_MAP);
      assertThat(nothing.processed()).isEmpty();
      assertThat(nothing.skipped()).hasSize(3);
      if (observer != null) {
        assertThat(observer.checks()).isPositive();
        assertThat(observer.violations()).isEmpty();
      }
    } finally {
      if (s3Store != null) {
        s3Store.close();
      }
      if (s3 != null) {
        s3.close();
      }
    }
  }

  /** The deep-store objects the records name (S3: the download URL is the archive). */
  private static Collection<URI> namedArchives(DeepStoreTestCluster cluster) {
    List<URI> named = new ArrayList<>();
    for (String segment : cluster.client.segments(TABLE).block(TIMEOUT)) {
      cluster
          .client
          .metadata(new SegmentId(TABLE, segment))
          .block(TIMEOUT)
          .downloadUrl()
          .filter(url -> !url.isEmpty())
          .ifPresent(url -> named.add(URI.create(url)));
    }
    return named;
  }

  @Test
  void aFailedProcessorLeavesTheOldCopyServedAndASegmentBeingReloadedIsSkipped() throws Exception {
    DisposableServer hanging =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> Mono.never())
            .bindNow();
    try (DeepStoreTestCluster cluster =
        new DeepStoreTestCluster(
            controller(ControllerConfig.defaults(dir.resolve("controller")), List.of()), dir)) {
      cluster.client.createTable(TABLE, 2).block(TIMEOUT);
      List<PinotFixtures.Archive> fixtures = fixtures();
      for (PinotFixtures.Archive fixture : fixtures) {
        cluster.client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);
      }
      SegmentServer a = cluster.server("a", null, null);
      SegmentServer b = cluster.server("b", null, null);
      for (PinotFixtures.Archive fixture : fixtures) {
        cluster.awaitOnline(id(fixture), a.instanceId());
        cluster.awaitOnline(id(fixture), b.instanceId());
      }
      TableConfig changed =
          TableConfig.parse(
              JSON.readTree(
                  "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"2\"},\"tableIndexConfig\":{\"invertedIndexColumns\":[\"country\"]}}"));
      cluster.client.updateTable(changed).block(TIMEOUT);

      // Server a reloads segment 0 from a source that never answers: it is busy with it.
      SegmentId reloading = id(fixtures.get(0));
      SegmentMetadata held = cluster.client.metadata(reloading).block(TIMEOUT);
      Disposable reload =
          a.directory()
              .reload(
                  held.with(
                      SegmentMetadata.DOWNLOAD_URL,
                      "http://127.0.0.1:" + hanging.port() + "/segment.tar.gz"),
                  true)
              .subscribe(outcome -> {}, error -> {});
      Waits.await("server a busy with " + reloading.segmentName())
          .until(() -> a.directory().isChanging(reloading));
      SegmentId failing = id(fixtures.get(1));
      SegmentMetadata failingBefore = cluster.client.metadata(failing).block(TIMEOUT);

      SyncReport report =
          run(
              cluster,
              "forceReload",
              "true",
              "processor",
              "command",
              "command",
              "sh -c 'case \"$0\" in *"
                  + failing.segmentName()
                  + ") echo cannot rebuild >&2; exit 1;; esac' {dir}");

      assertThat(report.skipped())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.segmentName()).isEqualTo(reloading.segmentName());
                assertThat(s.reason()).contains("being reloaded by " + a.instanceId());
              });
      assertThat(report.failed())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.segmentName()).isEqualTo(failing.segmentName());
                assertThat(f.cause()).contains("exited with 1").contains("cannot rebuild");
              });
      assertThat(report.processed()).containsExactly(fixtures.get(2).segmentName());
      // The failed segment: the same record, and both servers still serve the old copy.
      assertThat(cluster.client.metadata(failing).block(TIMEOUT)).isEqualTo(failingBefore);
      assertThat(awaitConverged(cluster, failing, List.of(a, b)).crc())
          .isEqualTo(fixtures.get(1).crc());
      JsonNode view =
          JSON.readTree(
              HttpClient.newConnection()
                  .get()
                  .uri(cluster.controller.baseUrl() + "/tables/events/externalview")
                  .responseSingle((response, content) -> content.asString())
                  .block(TIMEOUT));
      assertThat(view.path("OFFLINE").path(failing.segmentName()).path(a.instanceId()).asText())
          .isEqualTo("ONLINE");

      reload.dispose();
      Waits.await("server a done with " + reloading.segmentName())
          .until(() -> !a.directory().isChanging(reloading));
      SyncReport next =
          run(cluster, "forceReload", "true", "processor", "command", "command", "true");
      assertThat(next.processed())
          .containsExactlyInAnyOrder(reloading.segmentName(), failing.segmentName());
      String hash = cluster.client.tableConfigState(TABLE).block(TIMEOUT).hash();
      for (PinotFixtures.Archive fixture : fixtures) {
        assertThat(
                awaitConverged(cluster, id(fixture), List.of(a, b))
                    .fields()
                    .get(SegmentMetadata.TABLE_CONFIG_HASH))
            .isEqualTo(hash);
      }
    } finally {
      hanging.disposeNow();
    }
  }
}
