package io.segmenttransfer.core.local;

import static io.segmenttransfer.core.local.DataDirectoryHarness.filesOf;
import static io.segmenttransfer.core.local.DataDirectoryHarness.leftovers;
import static io.segmenttransfer.core.local.DataDirectoryHarness.snapshotOf;
import static io.segmenttransfer.core.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class DataDirectoryConcurrencyTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static Scheduler scheduler;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(16, 1000, "concurrency-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @Test
  void respectsTheServerWideAndPerTableDownloadLimits() {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    // Every read waits before its first byte until all twelve are running or queued: the limits
    // are then reached on any machine. (A pause per chunk left it to the machine's speed whether
    // three downloads ever overlapped: each one's lookups on the scheduler come first.)
    harness.store.hold();
    SegmentDataDirectory directory =
        harness.directory(
            DataDirectoryConfig.defaults().withLimits(3, 2),
            SegmentSwap.StepObserver.NONE,
            null,
            PeerFinder.NONE,
            harness.dataDir);
    List<SegmentMetadata> segments = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      segments.add(harness.publish(SegmentId.of("events_OFFLINE", "e" + i), i));
      segments.add(harness.publish(SegmentId.of("clicks_OFFLINE", "c" + i), 100 + i));
    }

    Mono<List<SegmentOutcome>> all =
        Flux.fromIterable(segments).flatMap(directory::addOrReplace, 64).collectList().cache();
    all.subscribe();
    // Three running (each holding a table permit and the server's), one more holding its table's
    // second permit and waiting for the server's, the other eight waiting for their table's.
    await("every download running or queued")
        .until(() -> directory.activeDownloads() == 3 && directory.queuedDownloads() == 9);
    harness.store.release();
    all.block(TIMEOUT);

    // Measured: how many downloads really ran at once, server-wide and per table.
    assertThat(directory.peakParallelDownloads()).isEqualTo(3);
    assertThat(directory.peakParallelDownloads(TableNameWithType.parse("events_OFFLINE")))
        .isEqualTo(2);
    assertThat(directory.peakParallelDownloads(TableNameWithType.parse("clicks_OFFLINE")))
        .isEqualTo(2);
    assertThat(harness.store.peakActive()).isLessThanOrEqualTo(3).isGreaterThan(1);
    for (SegmentMetadata m : segments) {
      assertThat(filesOf(harness.dataDir, m.segment())).isNotEmpty();
    }
    assertThat(directory.busySegments()).isZero();
  }

  @Test
  void operationsOnOneSegmentRunOneAtATimeAndEndConsistent() {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    harness.store.slowDown(Duration.ofMillis(2));
    SegmentDataDirectory directory = harness.directory();
    SegmentId segment = SegmentId.of("events_OFFLINE", "hot");
    SegmentMetadata v1 = harness.publish(segment, 1);
    SegmentMetadata v2 = harness.publish(segment, 2);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger peakInside = new AtomicInteger();

    List<Mono<?>> operations = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      Mono<?> op =
          switch (i % 4) {
            case 0 -> directory.addOrReplace(v1);
            case 1 -> directory.addOrReplace(v2);
            case 2 -> directory.reload(i % 8 == 2 ? v1 : v2, i % 3 == 0);
            default -> directory.remove(segment);
          };
      operations.add(op.onErrorResume(e -> Mono.empty()));
    }
    // Readers share the lock with each other but never overlap a change.
    for (int i = 0; i < 8; i++) {
      operations.add(
          directory
              .withSegment(
                  segment,
                  local ->
                      Mono.fromCallable(
                          () -> {
                            peakInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Map<String, String> files = filesOf(harness.dataDir, segment);
                            inside.decrementAndGet();
                            return files;
                          }))
              .doOnNext(files -> assertThat(files).isIn(snapshotOf(1), snapshotOf(2)))
              .then());
    }

    Flux.merge(Flux.fromIterable(operations).map(m -> m.subscribeOn(scheduler)), 64)
        .blockLast(TIMEOUT);

    Map<String, String> finalState = filesOf(harness.dataDir, segment);
    assertThat(finalState).isIn(Map.of(), snapshotOf(1), snapshotOf(2));
    assertThat(leftovers(harness.dataDir, segment)).isEmpty();
    assertThat(harness.store.peakActive())
        .as("downloads of one segment never overlap")
        .isEqualTo(1);
    assertThat(directory.busySegments()).isZero();
  }

  @Test
  void queuedWorkCanBeCancelled() {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    // The first operation's download is held until the second was cancelled: the second is still
    // queued behind it then, however slow the machine is at noticing it queued.
    harness.store.hold();
    SegmentDataDirectory directory = harness.directory();
    SegmentId segment = SegmentId.of("events_OFFLINE", "queued");
    SegmentMetadata v1 = harness.publish(segment, 1);
    SegmentMetadata v2 = harness.publish(segment, 2);

    Mono<SegmentOutcome> first = directory.addOrReplace(v1).cache();
    first.subscribe();
    Disposable queued = directory.addOrReplace(v2).subscribe();
    await("the second operation queued")
        .atMost(TIMEOUT)
        .until(() -> directory.queuedOperations() == 1);
    queued.dispose();
    assertThat(directory.queuedOperations()).as("the cancelled operation left the queue").isZero();
    harness.store.release();

    assertThat(first.block(TIMEOUT).action()).isEqualTo(SegmentOutcome.Action.DOWNLOADED);
    assertThat(harness.store.reads()).as("the cancelled operation never downloaded").isEqualTo(1);
    assertThat(filesOf(harness.dataDir, segment)).isEqualTo(snapshotOf(1));
    assertThat(directory.busySegments()).isZero();
  }
}
