package io.segmenttransfer.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/**
 * The repair task against an in-memory catalog and a replica that is a real HTTP server on
 * loopback, whose upload endpoint each test scripts.
 */
class DeepStoreRepairTaskTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_REALTIME");

  /** The catalog: records by segment, replicas by segment, repairs recorded. */
  private final Map<SegmentId, SegmentMetadata> records = new ConcurrentHashMap<>();

  private final Map<SegmentId, List<InstanceInfo>> online = new ConcurrentHashMap<>();
  private final List<String> recorded = new CopyOnWriteArrayList<>();

  /** The replica's upload endpoint: the requested paths, and how it answers the next request. */
  private final List<String> uploadRequests = new CopyOnWriteArrayList<>();

  private final AtomicReference<Mono<String>> answer = new AtomicReference<>();
  private final AtomicReference<Integer> status = new AtomicReference<>(200);
  private DisposableServer replicaServer;
  private InstanceInfo replica;

  private final RepairCatalog catalog =
      new RepairCatalog() {
        @Override
        public List<SegmentMetadata> segments(Set<TableNameWithType> tables) {
          return new ArrayList<>(records.values());
        }

        @Override
        public List<InstanceInfo> onlineReplicas(SegmentId segment) {
          return online.getOrDefault(segment, List.of());
        }

        @Override
        public Mono<Recorded> recordDeepStoreCopy(SegmentId segment, URI archive, long crc) {
          return Mono.fromCallable(
              () -> {
                SegmentMetadata old = records.get(segment);
                long previous = old.crc();
                records.put(
                    segment,
                    old.with(SegmentMetadata.DOWNLOAD_URL, archive.toString())
                        .with(SegmentMetadata.CRC, Long.toString(crc)));
                recorded.add(segment.segmentName() + " " + archive + " " + crc);
                return new Recorded(
                    Outcome.RECORDED,
                    archive.toString(),
                    previous == crc ? OptionalLong.empty() : OptionalLong.of(previous));
              });
        }
      };

  @BeforeEach
  void startReplica() {
    replicaServer =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes.post(
                        "/segments/{table}/{segment}/upload",
                        (request, response) -> {
                          uploadRequests.add(request.uri());
                          return answer
                              .get()
                              .flatMap(
                                  body ->
                                      response
                                          .status(status.get())
                                          .header("Content-Type", "application/json")
                                          .sendString(Mono.just(body))
                                          .then());
                        }))
            .bindNow();
    replica = InstanceInfo.server("127.0.0.1", replicaServer.port(), replicaServer.port());
  }

  @AfterEach
  void stopReplica() {
    replicaServer.disposeNow();
  }

  private SegmentId missing(String name, String status, long crc) {
    SegmentId id = new SegmentId(TABLE, name);
    records.put(
        id,
        SegmentMetadata.of(
            id,
            Map.of(
                SegmentMetadata.CRC,
                Long.toString(crc),
                SegmentMetadata.DOWNLOAD_URL,
                "",
                SegmentMetadata.REALTIME_STATUS,
                status)));
    return id;
  }

  /** The replica answers as ours do: the archive's URI as DeepStoreLayout gives it, escaped. */
  private void answers(String segment, long crc) {
    status.set(200);
    answer.set(
        Mono.just(
            "{\"segmentName\":\""
                + segment
                + "\",\"crc\":\""
                + crc
                + "\",\"downloadUrl\":\""
                + archive(segment)
                + "\"}"));
  }

  private static URI archive(String segment) {
    return new DeepStoreLayout(URI.create("s3://deep/store"))
        .archive(new SegmentId(TABLE, segment), Codec.GZIP);
  }

  private DeepStoreRepairTask task() {
    return new DeepStoreRepairTask(
        catalog, DeepStoreRepairConfig.defaults().withUploadTimeout(Duration.ofSeconds(5)));
  }

  @Test
  void asksAnOnlineReplicaAndRecordsTheDeepStoreUrlFixingADifferentCrc() {
    SegmentId id = missing("events__0__1__20260101T0000Z", "DONE", 11);
    online.put(id, List.of(replica));
    missing("events__0__2__20260101T0000Z", "IN_PROGRESS", 12); // still consuming: not completed
    SegmentId present = new SegmentId(TABLE, "events__0__0__20260101T0000Z");
    records.put(
        present,
        SegmentMetadata.of(
            present,
            Map.of(
                SegmentMetadata.CRC,
                "10",
                SegmentMetadata.DOWNLOAD_URL,
                "s3://deep/store/events_REALTIME/x.tar.gz"))); // absent status: UPLOADED
    answers(id.segmentName(), 99);

    StepVerifier.create(task().run(null))
        .assertNext(
            report -> {
              assertThat(report.examined()).isEqualTo(2);
              assertThat(report.missing()).isEqualTo(1);
              assertThat(report.repaired())
                  .containsExactly(
                      new RepairReport.Repaired(
                          id.toString(), replica.id(), archive(id.segmentName()).toString(), "11"));
              assertThat(report.failed()).isEmpty();
              assertThat(report.pending()).isZero();
            })
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(uploadRequests)
        .containsExactly(
            "/segments/events_REALTIME/" + id.segmentName() + "/upload?uploadTimeoutMs=5000");
    assertThat(records.get(id).crc()).isEqualTo(99);
  }

  @Test
  void aFailedUploadIsReportedLeavesTheRecordAndIsRetriedByTheNextRun() {
    SegmentId id = missing("events 1%", "UPLOADED", 5);
    online.put(id, List.of(replica));
    status.set(503);
    answer.set(Mono.just("{\"code\":503,\"error\":\"deep store unavailable\"}"));
    DeepStoreRepairTask task = task();

    StepVerifier.create(task.run(null))
        .assertNext(
            report -> {
              assertThat(report.repaired()).isEmpty();
              assertThat(report.failed())
                  .singleElement()
                  .satisfies(
                      failed -> {
                        assertThat(failed.segment()).isEqualTo(id.toString());
                        assertThat(failed.replica()).isEqualTo(replica.id());
                        assertThat(failed.cause())
                            .contains("503")
                            .contains("deep store unavailable");
                      });
            })
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(records.get(id).downloadUrl()).contains("");
    assertThat(task.status()).containsEntry("failedTotal", 1L).containsEntry("pending", 0);

    answers(id.segmentName(), 5);
    StepVerifier.create(task.run(null))
        .assertNext(
            report ->
                assertThat(report.repaired())
                    .singleElement()
                    .satisfies(repaired -> assertThat(repaired.crcFixedFrom()).isNull()))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(uploadRequests)
        .hasSize(2)
        .allSatisfy(
            uri -> assertThat(uri).startsWith("/segments/events_REALTIME/events%201%25/upload"));
    assertThat(records.get(id).downloadUrl())
        .contains("s3://deep/store/events_REALTIME/events%201%25.tar.gz");
  }

  @Test
  void aSegmentNobodyHoldsOnlineIsSkippedAndReported() {
    SegmentId id = missing("events__0__3__20260101T0000Z", "DONE", 7);

    StepVerifier.create(task().run(Set.of(TABLE)))
        .assertNext(
            report -> {
              assertThat(report.tables()).containsExactly("events_REALTIME");
              assertThat(report.missing()).isEqualTo(1);
              assertThat(report.skipped())
                  .containsExactly(
                      new RepairReport.Skipped(
                          id.toString(), "no ONLINE replica in the external view"));
            })
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(uploadRequests).isEmpty();
    assertThat(recorded).isEmpty();
  }

  @Test
  void aSegmentBeingRepairedIsNeverQueuedTwiceByOverlappingRuns() {
    SegmentId id = missing("events__0__4__20260101T0000Z", "DONE", 8);
    online.put(id, List.of(replica));
    Sinks.One<String> held = Sinks.one();
    answer.set(held.asMono());
    DeepStoreRepairTask task = task();

    Mono<RepairReport> first = task.run(null).cache();
    first.subscribe();
    Mono.fromCallable(uploadRequests::size)
        .filter(n -> n == 1)
        .repeatWhenEmpty(checks -> checks.delayElements(Duration.ofMillis(10)))
        .block(TIMEOUT);
    assertThat(task.pending()).isEqualTo(1);

    StepVerifier.create(task.run(null))
        .assertNext(
            report -> {
              assertThat(report.alreadyQueued()).containsExactly(id.toString());
              assertThat(report.repaired()).isEmpty();
              assertThat(report.pending()).isEqualTo(1);
            })
        .expectComplete()
        .verify(TIMEOUT);

    held.tryEmitValue(
        "{\"segmentName\":\""
            + id.segmentName()
            + "\",\"crc\":\"8\",\"downloadUrl\":\"s3://b/k.tar.gz\"}");
    StepVerifier.create(first)
        .assertNext(report -> assertThat(report.repaired()).hasSize(1))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(uploadRequests).as("the replica was asked once").hasSize(1);
    assertThat(task.pending()).isZero();
  }

  @Test
  void anAnswerForAnotherSegmentIsAFailureNotARepair() {
    SegmentId id = missing("events__0__5__20260101T0000Z", "DONE", 9);
    online.put(id, List.of(replica));
    answers("someOtherSegment", 9);

    StepVerifier.create(task().run(null))
        .assertNext(
            report ->
                assertThat(report.failed())
                    .singleElement()
                    .satisfies(failed -> assertThat(failed.cause()).contains("someOtherSegment")))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(recorded).isEmpty();
  }
}
