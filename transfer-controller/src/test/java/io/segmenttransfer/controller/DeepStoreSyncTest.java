package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.JSON;
import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.completion.CompletionConfig;
import io.segmenttransfer.controller.sync.SyncStepObserver;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.MetadataProperties;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.testing.NamedObjectObserver;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.Waits;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The deep-store sync on a controller with a local deep store: recompress and command processors
 * for real, failures and timeouts that leave the old copy, one run per table, cancel, and a crash
 * at the worst moment (new version written, metadata not switched) followed by a restart. An
 * observer on the deep store checks, at every write, chunk and delete, that no object a record
 * names is ever written to or deleted, and that every object a record names exists.
 */
class DeepStoreSyncTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final String SCHEMA =
      "{\"schemaName\":\"events\",\"dimensionFieldSpecs\":[{\"name\":\"country\",\"dataType\":\"STRING\"}]}";

  @TempDir Path dir;

  private final Scheduler io = Schedulers.newBoundedElastic(4, 1000, "sync-test");
  private final List<EmbeddedController> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(EmbeddedController::close);
    io.dispose();
  }

  /**
   * The archives the records name; every one of them must exist whenever it is asked. A record read
   * here may be switched to a new archive, and its old one deleted, by another segment's sync
   * before its file is checked: a missing file fails only when the record still names it after the
   * file was seen missing (the sync switches a record before it deletes the old archive).
   */
  private static java.util.Collection<URI> named(ControllerState state) {
    List<URI> named = new ArrayList<>();
    for (TableNameWithType table : state.tableNames()) {
      for (SegmentDocument doc : state.table(table).segments().values()) {
        if (doc.archive() != null) {
          if (!Files.isRegularFile(Path.of(doc.archive()))) {
            SegmentDocument now = state.table(table).segments().get(doc.id().segmentName());
            assertThat(now == null ? null : now.archive())
                .as("archive named by " + doc.id() + ", missing")
                .isNotEqualTo(doc.archive());
            if (now != null && now.archive() != null) {
              named.add(now.archive());
            }
            continue;
          }
          named.add(doc.archive());
        }
      }
    }
    return named;
  }

  private record Cluster(EmbeddedController controller, ControllerClient client) {}

  private Cluster start(NamedObjectObserver store, SyncStepObserver steps) {
    EmbeddedController controller =
        EmbeddedController.create(
                ControllerConfig.defaults(dir.resolve("controller")).withPort(0),
                List.of(store),
                CompletionConfig.defaults(),
                Clock.systemUTC(),
                steps)
            .block(TIMEOUT);
    started.add(controller);
    store.watch(() -> named(controller.state()));
    return new Cluster(controller, ControllerClient.create(controller.baseUrl()));
  }

  private Cluster startWithSegments(NamedObjectObserver store, SyncStepObserver steps) {
    Cluster cluster = start(store, steps);
    cluster.client.createTable(TABLE, 1).block(TIMEOUT);
    for (PinotFixtures.Archive archive : gzFixtures()) {
      cluster.client.uploadSegment(TABLE, archive.file()).block(TIMEOUT);
    }
    return cluster;
  }

  private static List<PinotFixtures.Archive> gzFixtures() {
    return PinotFixtures.archives().stream().filter(a -> a.format().equals("tar.gz")).toList();
  }

  private static SyncReport runToEnd(ControllerClient client, Map<String, String> options) {
    SyncReport first = client.startSync(TABLE, options).block(TIMEOUT);
    AtomicReference<SyncReport> last = new AtomicReference<>(first);
    Waits.await("sync run " + first.runId() + " to end")
        .until(
            () -> {
              last.set(client.syncRun(first.runId()).block(TIMEOUT));
              return !last.get().isRunning();
            });
    return last.get();
  }

  private static Map<String, String> options(String... pairs) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      options.put(pairs[i], pairs[i + 1]);
    }
    return options;
  }

  private static Map<String, SegmentDocument> records(EmbeddedController controller) {
    return controller.state().table(TABLE).segments();
  }

  /** Extracts the archive a record names, checking it against the record's CRC. */
  private ExtractionResult extract(SegmentDocument doc, Path into) {
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(), CrypterRegistry.fromConfig(CrypterConfig.defaults()), io);
    return extractor
        .extract(
            new LocalFileSegmentStore(io).read(doc.archive(), 0),
            ExtractionRequest.of(into, doc.id()).withExpectedCrc(doc.metadata().crc()))
        .block(TIMEOUT);
  }

  private void assertNoWorkLeft() throws Exception {
    Path work = dir.resolve("controller").resolve("sync-work");
    if (Files.exists(work)) {
      try (Stream<Path> left = Files.list(work)) {
        assertThat(left.toList()).isEmpty();
      }
    }
  }

  @Test
  void aPushOverAnExistingSegmentWritesANewVersionAndSwitchesToIt() throws Exception {
    NamedObjectObserver store = new NamedObjectObserver(new LocalFileSegmentStore(io));
    Cluster cluster = start(store, SyncStepObserver.NONE);
    cluster.client.createTable(TABLE, 1).block(TIMEOUT);
    PinotFixtures.Archive gz = PinotFixtures.archive("tar.gz");
    PinotFixtures.Archive zst =
        PinotFixtures.archives().stream()
            .filter(a -> a.format().equals("tar.zst") && a.segmentName().equals(gz.segmentName()))
            .findFirst()
            .orElseThrow();
    cluster.client.uploadSegment(TABLE, gz.file()).block(TIMEOUT);
    SegmentDocument pushed = records(cluster.controller).get(gz.segmentName());

    cluster.client.uploadSegment(TABLE, zst.file()).block(TIMEOUT);
    SegmentDocument refreshed = records(cluster.controller).get(gz.segmentName());
    assertThat(refreshed.archive().getPath()).contains("..r").endsWith(".tar.zst");
    assertThat(Path.of(pushed.archive())).doesNotExist();
    assertThat(refreshed.metadata().fields()).containsKey(SegmentMetadata.REFRESH_TIME);
    // The same archive again changes nothing and leaves no version behind.
    cluster.client.uploadSegment(TABLE, zst.file()).block(TIMEOUT);
    assertThat(records(cluster.controller).get(gz.segmentName())).isEqualTo(refreshed);
    try (Stream<Path> files = Files.list(Path.of(refreshed.archive()).getParent())) {
      assertThat(files.toList()).containsExactly(Path.of(refreshed.archive()));
    }
    assertThat(store.checks()).isPositive();
    assertThat(store.violations()).isEmpty();
  }

  @Test
  void recompressRearchivesEverySegmentInZstdWithItsFilesAndCrcUntouched() throws Exception {
    NamedObjectObserver store = new NamedObjectObserver(new LocalFileSegmentStore(io));
    Cluster cluster = startWithSegments(store, SyncStepObserver.NONE);
    Map<String, SegmentDocument> before = records(cluster.controller);

    // A level other than the default: the plain tar stream compressed in the same pass.
    SyncReport report =
        runToEnd(
            cluster.client,
            options(
                "forceReload", "true", "processor", "recompress", "codec", "zstd", "level", "5"));
    assertThat(report.processor()).isEqualTo("recompress zstd 5");

    assertThat(report.status()).isEqualTo(SyncReport.FINISHED);
    assertThat(report.failed()).isEmpty();
    assertThat(report.processed()).hasSize(3);
    assertThat(report.examined()).isEqualTo(3);
    assertThat(report.bytesBefore())
        .isEqualTo(gzFixtures().stream().mapToLong(PinotFixtures.Archive::size).sum());
    assertThat(report.bytesAfter()).isPositive();
    for (SegmentDocument doc : records(cluster.controller).values()) {
      SegmentDocument old = before.get(doc.id().segmentName());
      assertThat(doc.metadata().crc()).isEqualTo(old.metadata().crc());
      assertThat(doc.archive().getPath()).endsWith(".tar.zst").contains("..r");
      assertThat(Path.of(old.archive())).doesNotExist();
      assertThat(doc.metadata().fields()).doesNotContainKey(SegmentMetadata.TABLE_CONFIG_HASH);
      byte[] head = new byte[4];
      try (var in = Files.newInputStream(Path.of(doc.archive()))) {
        assertThat(in.read(head)).isEqualTo(4);
      }
      assertThat(head).containsExactly(0x28, 0xb5, 0x2f, 0xfd);
      assertThat(Long.parseLong(doc.metadata().fields().get(SegmentMetadata.SIZE_IN_BYTES)))
          .isEqualTo(Files.size(Path.of(doc.archive())));
      assertThat(extract(doc, dir.resolve("check")).crc()).isEqualTo(old.metadata().crc());
    }
    assertThat(store.checks()).isPositive();
    assertThat(store.violations()).isEmpty();
    assertNoWorkLeft();

    SyncReport again =
        runToEnd(
            cluster.client,
            options("forceReload", "true", "processor", "recompress", "codec", "zstd"));
    assertThat(again.processed()).isEmpty();
    assertThat(again.skipped()).hasSize(3).allMatch(s -> s.reason().contains("tar.zst already"));
  }

  @Test
  void commandRebuildsUnderTheTableHashOnceAndFailuresLeaveTheOldCopy() throws Exception {
    NamedObjectObserver store = new NamedObjectObserver(new LocalFileSegmentStore(io));
    Cluster cluster = startWithSegments(store, SyncStepObserver.NONE);
    cluster.client.putSchema(JSON.readTree(SCHEMA)).block(TIMEOUT);
    String hash = cluster.client.tableConfigState(TABLE).block(TIMEOUT).hash();
    String copy = "cp {dir}/v3/index_map {dir}/v3/index_map.copy";

    SyncReport report =
        runToEnd(
            cluster.client,
            options("forceReload", "true", "processor", "command", "command", copy));

    assertThat(report.failed()).isEmpty();
    assertThat(report.processed()).hasSize(3);
    assertThat(report.tableHash()).isEqualTo(hash);
    for (SegmentDocument doc : records(cluster.controller).values()) {
      assertThat(doc.metadata().fields().get(SegmentMetadata.TABLE_CONFIG_HASH)).isEqualTo(hash);
      assertThat(doc.metadata().fields()).containsKey(SegmentMetadata.REFRESH_TIME);
      ExtractionResult extracted = extract(doc, dir.resolve("check-" + doc.id().segmentName()));
      assertThat(extracted.directory().resolve("v3/index_map.copy")).exists();
      assertThat(MetadataProperties.tableConfigHash(extracted.directory())).contains(hash);
      // Pinot's data CRC cannot be recomputed here: dropped with the CRC change.
      assertThat(extracted.creationMeta().dataCrc()).isEmpty();
    }
    assertThat(store.violations()).isEmpty();

    SyncReport again =
        runToEnd(
            cluster.client,
            options("forceReload", "true", "processor", "command", "command", copy));
    assertThat(again.processed()).isEmpty();
    assertThat(again.skipped())
        .hasSize(3)
        .allMatch(s -> s.reason().equals("built under the current table config hash"));

    // A config change makes them stale again; one segment's rebuild fails.
    TableConfig inverted =
        TableConfig.parse(
            JSON.readTree(
                "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\",\"tableIndexConfig\":{\"invertedIndexColumns\":[\"country\"]}}"));
    cluster.client.updateTable(inverted).block(TIMEOUT);
    Map<String, SegmentDocument> beforeFailure = records(cluster.controller);
    String failing = gzFixtures().get(1).segmentName();
    SyncReport partly =
        runToEnd(
            cluster.client,
            options(
                "forceReload",
                "true",
                "processor",
                "command",
                "command",
                "sh -c 'case \"$0\" in *" + failing + ") echo boom >&2; exit 3;; esac' {dir}"));
    assertThat(partly.status()).isEqualTo(SyncReport.FINISHED);
    assertThat(partly.processed()).hasSize(2).doesNotContain(failing);
    assertThat(partly.failed())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.segmentName()).isEqualTo(failing);
              assertThat(f.cause()).contains("exited with 3").contains("boom");
            });
    assertThat(records(cluster.controller).get(failing)).isEqualTo(beforeFailure.get(failing));
    assertThat(Path.of(beforeFailure.get(failing).archive())).exists();

    SyncReport timedOut =
        runToEnd(
            cluster.client,
            options(
                "forceReload",
                "true",
                "processor",
                "command",
                "command",
                "sleep 30",
                "timeoutSeconds",
                "1"));
    assertThat(timedOut.failed())
        .singleElement()
        .satisfies(f -> assertThat(f.cause()).contains("did not finish within 1 s"));
    assertThat(records(cluster.controller).get(failing)).isEqualTo(beforeFailure.get(failing));
    assertThat(store.violations()).isEmpty();
    assertNoWorkLeft();
  }

  @Test
  void oneRunPerTableNeitherModeDoesNothingAndACancelledRunChangesNothing() throws Exception {
    NamedObjectObserver store = new NamedObjectObserver(new LocalFileSegmentStore(io));
    Cluster cluster = startWithSegments(store, SyncStepObserver.NONE);
    Map<String, SegmentDocument> before = records(cluster.controller);

    SyncReport nothing =
        runToEnd(cluster.client, options("processor", "recompress", "codec", "zstd"));
    assertThat(nothing.processed()).isEmpty();
    assertThat(nothing.message()).contains("neither reloadOnly nor forceReload");

    SyncReport slow =
        cluster
            .client
            .startSync(
                TABLE,
                options("forceReload", "true", "processor", "command", "command", "sleep 60"))
            .block(TIMEOUT);
    assertThat(slow.isRunning()).isTrue();
    ControllerTestSupport.Reply second =
        ControllerTestSupport.call(
            cluster.controller.baseUrl(),
            HttpMethod.POST,
            "/tasks/DeepStoreSync/run?tableName=events&forceReload=true&processor=recompress&codec=lz4",
            null,
            Map.of());
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.json().get("runId").asText()).isEqualTo(slow.runId());

    SyncReport cancelled = cluster.client.cancelSync(slow.runId()).block(TIMEOUT);
    assertThat(cancelled.status()).isEqualTo(SyncReport.CANCELLED);
    assertThat(records(cluster.controller)).isEqualTo(before);
    Waits.await("work directories of the cancelled run removed")
        .untilAsserted(this::assertNoWorkLeft);
    assertThat(store.violations()).isEmpty();

    // Bad requests are refused before anything runs.
    assertThat(
            ControllerTestSupport.call(
                    cluster.controller.baseUrl(),
                    HttpMethod.POST,
                    "/tasks/DeepStoreSync/run?tableName=events&forceReload=true&reloadOnly=true",
                    null,
                    Map.of())
                .status())
        .isEqualTo(400);
    assertThat(
            ControllerTestSupport.call(
                    cluster.controller.baseUrl(),
                    HttpMethod.POST,
                    "/tasks/DeepStoreSync/run?tableName=events&forceReload=true&processor=recompress&codec=brotli",
                    null,
                    Map.of())
                .json()
                .get("error")
                .asText())
        .contains("brotli");
  }

  @Test
  void aCrashBetweenTheUploadAndTheSwitchLeavesEverySegmentOldOrNewAndTheNextRunFinishes()
      throws Exception {
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch halted = new CountDownLatch(1);
    AtomicInteger uploads = new AtomicInteger();
    SyncStepObserver crashAtSecondUpload =
        (segment, step) -> {
          if (step.equals(SyncStepObserver.UPLOADED) && uploads.incrementAndGet() == 2) {
            reached.countDown();
            try {
              halted.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    NamedObjectObserver store = new NamedObjectObserver(new LocalFileSegmentStore(io));
    Cluster first = startWithSegments(store, crashAtSecondUpload);
    first.client.putSchema(JSON.readTree(SCHEMA)).block(TIMEOUT);
    String hash = first.client.tableConfigState(TABLE).block(TIMEOUT).hash();
    Map<String, SegmentDocument> before = records(first.controller);
    Map<String, String> rebuild =
        options(
            "forceReload", "true", "parallelism", "1", "processor", "command", "command", "true");

    first.client.startSync(TABLE, rebuild).block(TIMEOUT);
    assertThat(reached.await(30, TimeUnit.SECONDS)).isTrue();
    first.controller.halt();
    started.remove(first.controller);
    halted.countDown();
    store.watch(List::of);

    NamedObjectObserver again = new NamedObjectObserver(new LocalFileSegmentStore(io));
    Cluster second = start(again, SyncStepObserver.NONE);
    int rebuilt = 0;
    for (SegmentDocument doc : records(second.controller).values()) {
      SegmentDocument old = before.get(doc.id().segmentName());
      if (doc.equals(old)) {
        continue;
      }
      rebuilt++;
      assertThat(doc.metadata().fields().get(SegmentMetadata.TABLE_CONFIG_HASH)).isEqualTo(hash);
      assertThat(Path.of(old.archive())).doesNotExist();
      // The record's archive is whole: it extracts with the record's CRC.
      extract(doc, dir.resolve("crashed-" + doc.id().segmentName()));
    }
    assertThat(rebuilt).isEqualTo(1);

    SyncReport finishing = runToEnd(second.client, rebuild);
    assertThat(finishing.processed()).hasSize(2);
    assertThat(finishing.skipped()).hasSize(1);
    for (SegmentDocument doc : records(second.controller).values()) {
      assertThat(doc.metadata().fields().get(SegmentMetadata.TABLE_CONFIG_HASH)).isEqualTo(hash);
      extract(doc, dir.resolve("final-" + doc.id().segmentName()));
    }
    assertThat(again.violations()).isEmpty();
    assertThat(store.violations()).isEmpty();
    // Only the three current archives and the crash's one unreferenced version are left.
    try (Stream<Path> files =
        Files.list(
            Path.of(records(second.controller).values().iterator().next().archive()).getParent())) {
      assertThat(files.toList()).hasSize(4);
    }
  }
}
