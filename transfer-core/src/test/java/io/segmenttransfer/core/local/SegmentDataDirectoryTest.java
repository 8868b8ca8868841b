package io.segmenttransfer.core.local;

import static io.segmenttransfer.core.local.DataDirectoryHarness.filesOf;
import static io.segmenttransfer.core.local.DataDirectoryHarness.leftovers;
import static io.segmenttransfer.core.local.DataDirectoryHarness.snapshotOf;
import static io.segmenttransfer.core.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentNotReadyException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.layout.SegmentPaths;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.local.SegmentOutcome.Action;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class SegmentDataDirectoryTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_0");

  private static Scheduler scheduler;

  @TempDir Path root;
  private DataDirectoryHarness harness;
  private SegmentDataDirectory directory;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "data-dir-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @BeforeEach
  void setUp() {
    harness = new DataDirectoryHarness(root, scheduler);
    directory = harness.directory();
  }

  private SegmentOutcome add(SegmentMetadata metadata) {
    return directory.addOrReplace(metadata).block(TIMEOUT);
  }

  @Test
  void downloadsKeepsAndReplaces() {
    SegmentOutcome first = add(harness.publish(SEGMENT, 1));
    assertThat(first.action()).isEqualTo(Action.DOWNLOADED);
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));
    int readsAfterFirst = harness.store.reads();

    SegmentOutcome again = add(harness.publish(SEGMENT, 1));
    assertThat(again.action()).isEqualTo(Action.KEPT);
    assertThat(harness.store.reads())
        .as("a CRC-equal copy downloads nothing")
        .isEqualTo(readsAfterFirst);

    SegmentOutcome replaced = add(harness.publish(SEGMENT, 2));
    assertThat(replaced.action()).isEqualTo(Action.REPLACED);
    assertThat(replaced.attempts()).isEqualTo(1);
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(2));
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void recoversAMatchingCopyAnInterruptedSwapLeft() throws IOException {
    SegmentMetadata v1 = harness.publish(SEGMENT, 1);
    add(v1);
    SegmentPaths paths = new SegmentPaths(harness.dataDir, SEGMENT);
    // A crash between "segment -> .bak" and "staged -> segment": only the backup is left.
    Files.move(paths.segmentDir(), paths.backupDir());
    int reads = harness.store.reads();

    SegmentOutcome outcome = add(v1);

    assertThat(outcome.action()).isEqualTo(Action.RECOVERED);
    assertThat(harness.store.reads()).isEqualTo(reads);
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void reloadCopiesBackTheSameBytesOrDownloadsWhenForced() {
    SegmentMetadata v1 = harness.publish(SEGMENT, 1);
    add(v1);

    SegmentOutcome reloaded = directory.reload(v1, false).block(TIMEOUT);
    assertThat(reloaded.action()).isEqualTo(Action.RELOADED);
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));

    int reads = harness.store.reads();
    SegmentOutcome forced = directory.reload(v1, true).block(TIMEOUT);
    assertThat(forced.action()).isEqualTo(Action.REPLACED);
    assertThat(harness.store.reads()).isGreaterThan(reads);
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));

    SegmentOutcome changed = directory.reload(harness.publish(SEGMENT, 3), false).block(TIMEOUT);
    assertThat(changed.action()).isEqualTo(Action.REPLACED);
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(3));
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void aFailedReloadRestoresTheBackup() {
    add(harness.publish(SEGMENT, 1));
    SegmentMetadata missing =
        harness
            .publish(SEGMENT, 2)
            .with(SegmentMetadata.DOWNLOAD_URL, root.resolve("nowhere.tar.gz").toUri().toString());

    StepVerifier.create(directory.reload(missing, true))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourcesExhaustedException.class)
                    .hasMessageContaining("nowhere.tar.gz")
                    .hasMessageContaining("no such file"))
        .verify(TIMEOUT);

    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void aCancelledReloadPutsTheOldCopyBack() {
    add(harness.publish(SEGMENT, 1));
    // The download is held before its first byte until the cancel: the backup exists until then,
    // however late the wait below first looks (with a pause per chunk instead, a loaded machine
    // could let the reload finish, and the backup go, between two looks).
    harness.store.hold();
    SegmentPaths paths = new SegmentPaths(harness.dataDir, SEGMENT);

    reactor.core.Disposable reload =
        directory.reload(harness.publish(SEGMENT, 2), true).subscribe();
    await("the reload backed the segment up")
        .atMost(TIMEOUT)
        .until(() -> Files.exists(paths.backupDir()));
    reload.dispose();
    harness.store.release();

    // The old copy comes back under the lock; the staging copy is deleted on the scheduler, maybe
    // after.
    await("the cancelled reload cleaned up")
        .atMost(TIMEOUT)
        .until(
            () -> directory.busySegments() == 0 && leftovers(harness.dataDir, SEGMENT).isEmpty());
    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void aFailedReplaceKeepsTheOldCopy() {
    add(harness.publish(SEGMENT, 1));
    SegmentMetadata wrongCrc = harness.publish(SEGMENT, 2).with(SegmentMetadata.CRC, "12345");

    StepVerifier.create(directory.addOrReplace(wrongCrc))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourcesExhaustedException.class)
                    .hasMessageContaining("12345"))
        .verify(TIMEOUT);

    assertThat(filesOf(harness.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void removeDeletesTheSegmentAndItsLeftovers() throws IOException {
    add(harness.publish(SEGMENT, 1));
    SegmentPaths paths = new SegmentPaths(harness.dataDir, SEGMENT);
    Files.createDirectories(paths.tempDir());

    SegmentOutcome removed = directory.remove(SEGMENT).block(TIMEOUT);

    assertThat(removed.action()).isEqualTo(Action.REMOVED);
    assertThat(paths.segmentDir()).doesNotExist();
    assertThat(leftovers(harness.dataDir, SEGMENT)).isEmpty();
    assertThat(directory.remove(SEGMENT).block(TIMEOUT).action()).isEqualTo(Action.REMOVED);
  }

  @Test
  void startupRecoveryRestoresBackupsAndDeletesLeftovers() throws IOException {
    SegmentId a = SegmentId.of("events_OFFLINE", "a");
    SegmentId b = SegmentId.of("events_OFFLINE", "b");
    SegmentId c = SegmentId.of("clicks_REALTIME", "c");
    add(harness.publish(a, 1));
    add(harness.publish(b, 2));
    add(harness.publish(c, 3));
    SegmentPaths pa = new SegmentPaths(harness.dataDir, a);
    SegmentPaths pb = new SegmentPaths(harness.dataDir, b);
    SegmentPaths pc = new SegmentPaths(harness.dataDir, c);
    Files.move(pa.segmentDir(), pa.backupDir()); // reload interrupted before the download landed
    copy(pb.segmentDir(), pb.backupDir()); // swap interrupted after the new copy landed
    Files.move(pc.segmentDir(), pc.tempDir()); // crash while deleting the old copy after commit
    Files.createDirectories(pa.stagingRoot().resolve("a-123/a/v3"));
    Files.writeString(harness.dataDir.resolve("not-a-table.txt"), "ignored");

    List<RecoveryAction> actions = harness.directory().recover().block(TIMEOUT);

    assertThat(actions)
        .extracting(RecoveryAction::action)
        .containsExactlyInAnyOrder(
            "restored backup",
            "restored backup",
            "removed finished backup",
            "removed staging directory");
    assertThat(filesOf(harness.dataDir, a)).isEqualTo(snapshotOf(1));
    assertThat(filesOf(harness.dataDir, b)).isEqualTo(snapshotOf(2));
    assertThat(pc.segmentDir()).doesNotExist();
    for (SegmentId s : List.of(a, b, c)) {
      assertThat(leftovers(harness.dataDir, s)).isEmpty();
    }
    assertThat(harness.dataDir.resolve("not-a-table.txt")).exists();
  }

  // ---- download policy ----

  @Test
  void neverDownloadsASegmentStillConsuming() {
    SegmentMetadata consuming =
        harness.publish(SEGMENT, 1).with(SegmentMetadata.REALTIME_STATUS, "IN_PROGRESS");

    StepVerifier.create(directory.addOrReplace(consuming))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SegmentNotReadyException.class)
                    .hasMessageContaining("IN_PROGRESS")
                    .hasMessageContaining(SEGMENT.segmentName()))
        .verify(TIMEOUT);
    assertThat(harness.store.reads()).isZero();
  }

  @Test
  void waitsForACommittingSegmentToComplete() {
    SegmentMetadata done =
        harness.publish(SEGMENT, 1).with(SegmentMetadata.REALTIME_STATUS, "DONE");
    SegmentMetadata committing = done.with(SegmentMetadata.REALTIME_STATUS, "COMMITTING");
    AtomicInteger polls = new AtomicInteger();
    SegmentDataDirectory waiting =
        harness.directory(
            DataDirectoryConfig.defaults()
                .withCommittingWait(Duration.ofSeconds(10), Duration.ofMillis(20)),
            SegmentSwap.StepObserver.NONE,
            segment -> Mono.just(polls.incrementAndGet() < 3 ? committing : done),
            PeerFinder.NONE,
            harness.dataDir);

    SegmentOutcome outcome = waiting.addOrReplace(committing).block(TIMEOUT);

    assertThat(outcome.action()).isEqualTo(Action.DOWNLOADED);
    assertThat(polls.get()).isEqualTo(3);
  }

  @Test
  void aCommittingSegmentWithAnOnlinePeerDownloadsAtOnce() {
    SegmentMetadata committing =
        harness.publish(SEGMENT, 1).with(SegmentMetadata.REALTIME_STATUS, "COMMITTING");
    SegmentDataDirectory waiting =
        harness.directory(
            DataDirectoryConfig.defaults()
                .withCommittingWait(Duration.ofSeconds(10), Duration.ofMillis(20)),
            SegmentSwap.StepObserver.NONE,
            null,
            segment ->
                Mono.just(
                    List.of(URI.create("http://127.0.0.1:1/segments/events_OFFLINE/events_0"))),
            harness.dataDir);

    assertThat(waiting.addOrReplace(committing).block(TIMEOUT).action())
        .isEqualTo(Action.DOWNLOADED);
  }

  @Test
  void givesUpOnACommittingSegmentAfterTheTimeout() {
    SegmentMetadata committing =
        harness.publish(SEGMENT, 1).with(SegmentMetadata.REALTIME_STATUS, "COMMITTING");
    SegmentDataDirectory waiting =
        harness.directory(
            DataDirectoryConfig.defaults()
                .withCommittingWait(Duration.ofMillis(150), Duration.ofMillis(20)),
            SegmentSwap.StepObserver.NONE,
            segment -> Mono.just(committing),
            PeerFinder.NONE,
            harness.dataDir);

    StepVerifier.create(waiting.addOrReplace(committing))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SegmentNotReadyException.class)
                    .hasMessageContaining("COMMITTING"))
        .verify(TIMEOUT);
    assertThat(harness.store.reads()).isZero();
  }

  // ---- bad input: clear errors, nothing on disk changed ----

  @Test
  void refusesMetadataWithoutACrc() {
    assertRefused(harness.publish(SEGMENT, 1).with(SegmentMetadata.CRC, null), "segment.crc");
  }

  @Test
  void refusesAMalformedCrc() {
    assertRefused(
        harness.publish(SEGMENT, 1).with(SegmentMetadata.CRC, "0x1f"), "malformed segment.crc");
  }

  @Test
  void refusesUnsafeSegmentNamesAndUntypedTables() {
    assertThatThrownBy(() -> SegmentId.of("events_OFFLINE", "../escape"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("..");
    assertThatThrownBy(() -> SegmentId.of("events_OFFLINE", "a/b"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("path separators");
    assertThatThrownBy(() -> SegmentId.of("events", "a"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("_OFFLINE or <raw>_REALTIME");
    assertThatThrownBy(() -> TableNameWithType.parse("_OFFLINE"))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void refusesADataDirectoryThatIsNotADirectory() throws IOException {
    Path file = root.resolve("data-is-a-file");
    Files.writeString(file, "x");
    SegmentDataDirectory broken =
        harness.directory(
            DataDirectoryConfig.defaults(),
            SegmentSwap.StepObserver.NONE,
            null,
            PeerFinder.NONE,
            file);

    StepVerifier.create(broken.addOrReplace(harness.publish(SEGMENT, 1)))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("not a writable directory"))
        .verify(TIMEOUT);
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  private void assertRefused(SegmentMetadata metadata, String messagePart) {
    add(harness.publish(SEGMENT, 1));
    Map<String, String> before = DirectorySnapshot.of(harness.dataDir);

    StepVerifier.create(directory.addOrReplace(metadata))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining(messagePart)
                    .hasMessageContaining(SEGMENT.segmentName()))
        .verify(TIMEOUT);
    assertThat(DirectorySnapshot.of(harness.dataDir)).isEqualTo(before);
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Files.copy(p, to.resolve(from.relativize(p).toString()));
      }
    }
  }
}
