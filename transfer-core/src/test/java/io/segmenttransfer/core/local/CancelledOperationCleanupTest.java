package io.segmenttransfer.core.local;

import static io.segmenttransfer.core.local.DataDirectoryHarness.filesOf;
import static io.segmenttransfer.core.local.DataDirectoryHarness.leftovers;
import static io.segmenttransfer.core.local.DataDirectoryHarness.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A cancelled operation is over only once its file-system work has stopped and its staging
 * directory and backup are cleaned up: the moment {@link SegmentDataDirectory#busySegments()} reads
 * zero, nothing of it is left. Each test holds one step of a reload on a gate, cancels the reload
 * there, and checks that the segment stays busy until the gate opens and that nothing is left the
 * instant it is idle.
 */
class CancelledOperationCleanupTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_0");

  private static Scheduler scheduler;

  @TempDir Path root;
  private DataDirectoryHarness harness;
  private Gate gate;
  private SegmentDataDirectory directory;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "cancel-cleanup-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @BeforeEach
  void setUp() {
    harness = new DataDirectoryHarness(root, scheduler);
    gate = new Gate();
    directory =
        harness.directory(
            DataDirectoryConfig.defaults(), gate, null, PeerFinder.NONE, harness.dataDir);
  }

  @AfterEach
  void openTheGate() {
    gate.open();
  }

  @Test
  void cancelledWhileTheStagingDirectoryIsMade() throws InterruptedException {
    cancelAt("extract-staged", true);
  }

  @Test
  void cancelledWhileTheBackupIsMade() throws InterruptedException {
    cancelAt("reload-backup", true);
  }

  @Test
  void cancelledWhileTheDownloadIsVerified() throws InterruptedException {
    cancelAt("extract-verify", true);
  }

  @Test
  void cancelledWhileTheDownloadIsInstalled() throws InterruptedException {
    cancelAt("install", true);
  }

  @Test
  void cancelledWhileTheBackupIsCopiedBack() throws InterruptedException {
    cancelAt("reload-copy", false);
  }

  @Test
  void cancelledWhileTheCopyIsInstalled() throws InterruptedException {
    cancelAt("reload-install", false);
  }

  @Test
  void aStagingDirectoryMadeAsTheCancelCameIsRemovedForGood() throws InterruptedException {
    cancelAtAndSettle("extract-staged");
  }

  @Test
  void aBackupMadeAsTheCancelCameIsRestoredForGood() throws InterruptedException {
    cancelAtAndSettle("reload-backup");
  }

  /**
   * Without looking at busySegments: once everything settled, the old copy is back and nothing is
   * left.
   */
  private void cancelAtAndSettle(String step) throws InterruptedException {
    directory.addOrReplace(harness.publish(SEGMENT, 1)).block(TIMEOUT);
    gate.arm(step);

    Disposable reload = directory.reload(harness.publish(SEGMENT, 2), true).subscribe();
    assertThat(gate.reached.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        .as("the reload reached " + step)
        .isTrue();
    reload.dispose();
    gate.open();

    // Waits up to TIMEOUT, not a few seconds: how soon the cancelled work settles is the machine's
    // load; that it settles with nothing left is the property.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while ((directory.busySegments() != 0 || !leftovers(harness.dataDir, SEGMENT).isEmpty())
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(leftovers(harness.dataDir, SEGMENT)).as("leftovers once settled").isEmpty();
    assertThat(filesOf(harness.dataDir, SEGMENT))
        .as("the old copy is back")
        .isEqualTo(snapshotOf(1));
  }

  /**
   * The reload is cancelled while {@code step} is held; the old copy must be back, nothing left.
   */
  private void cancelAt(String step, boolean forceDownload) throws InterruptedException {
    directory.addOrReplace(harness.publish(SEGMENT, 1)).block(TIMEOUT);
    gate.arm(step);

    Disposable reload =
        directory
            .reload(harness.publish(SEGMENT, forceDownload ? 2 : 1), forceDownload)
            .subscribe();
    assertThat(gate.reached.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        .as("the reload reached " + step)
        .isTrue();
    reload.dispose();

    Thread.sleep(50);
    assertThat(directory.busySegments())
        .as("the cancelled reload is still at work in " + step + ": the segment is not idle yet")
        .isEqualTo(1);

    gate.open();
    assertIdleAndClean();
  }

  /** {@code SegmentDataDirectoryTest.aCancelledReloadPutsTheOldCopyBack}, as it is, 30 times. */
  @RepeatedTest(30)
  void theFlakyCancelledReload() throws InterruptedException {
    {
      DataDirectoryHarness own = new DataDirectoryHarness(root.resolve("flaky"), scheduler);
      SegmentDataDirectory dir = own.directory();
      dir.addOrReplace(own.publish(SEGMENT, 1)).block(TIMEOUT);
      own.store.slowDown(Duration.ofMillis(200));
      Path backup =
          new io.segmenttransfer.core.layout.SegmentPaths(own.dataDir, SEGMENT).backupDir();

      Disposable reload = dir.reload(own.publish(SEGMENT, 2), true).subscribe();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!java.nio.file.Files.exists(backup) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(backup).as("the reload backed the segment up").exists();
      reload.dispose();

      reactor.core.publisher.Mono.fromCallable(
              () -> dir.busySegments() == 0 && !java.nio.file.Files.exists(backup))
          .filter(Boolean::booleanValue)
          // Bounded by TIMEOUT alone (100 checks 20 ms apart gave a loaded machine ~2 s).
          .repeatWhenEmpty(Integer.MAX_VALUE, r -> r.delayElements(Duration.ofMillis(20)))
          .block(TIMEOUT);
      assertThat(filesOf(own.dataDir, SEGMENT)).isEqualTo(snapshotOf(1));
      assertThat(leftovers(own.dataDir, SEGMENT)).isEmpty();
    }
  }

  /**
   * What {@code SegmentDataDirectoryTest.aCancelledReloadPutsTheOldCopyBack} checks, cancelling at
   * a random moment, and strict: the instant the directory reports itself idle nothing is left.
   */
  @RepeatedTest(30)
  void aReloadCancelledAtAnyMomentLeavesNothingOnceIdle() throws InterruptedException {
    directory.addOrReplace(harness.publish(SEGMENT, 1)).block(TIMEOUT);
    harness.store.slowDown(Duration.ofMillis(ThreadLocalRandom.current().nextInt(1, 20)));

    AtomicBoolean completed = new AtomicBoolean();
    Disposable reload =
        directory
            .reload(harness.publish(SEGMENT, 2), true)
            .subscribe(outcome -> completed.set(true));
    Thread.sleep(ThreadLocalRandom.current().nextInt(0, 60));
    reload.dispose();

    awaitIdle();
    assertThat(leftovers(harness.dataDir, SEGMENT))
        .as("leftovers the instant the directory is idle")
        .isEmpty();
    // A cancel after the commit step leaves the new copy: one copy or the other, whole, never a
    // mix.
    Map<String, String> files = filesOf(harness.dataDir, SEGMENT);
    if (completed.get()) {
      assertThat(files).as("the reload finished before the cancel").isEqualTo(snapshotOf(2));
    } else {
      assertThat(files).as("the old copy or the whole new one").isIn(snapshotOf(1), snapshotOf(2));
    }
  }

  /** Waits until the directory is idle, then checks at once: no polling for the leftovers to go. */
  private void assertIdleAndClean() throws InterruptedException {
    awaitIdle();
    List<String> left = leftovers(harness.dataDir, SEGMENT);
    assertThat(left).as("leftovers the instant the directory is idle").isEmpty();
    assertThat(filesOf(harness.dataDir, SEGMENT))
        .as("the old copy is back")
        .isEqualTo(snapshotOf(1));
  }

  private void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (directory.busySegments() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(directory.busySegments()).as("the directory became idle").isZero();
  }

  /**
   * Holds the first run of one step until opened; waits through interrupts (a cancel may interrupt
   * the worker).
   */
  private static final class Gate implements SegmentSwap.StepObserver {
    final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);
    private final AtomicBoolean armed = new AtomicBoolean();
    private volatile String step;

    void arm(String step) {
      this.step = step;
      armed.set(true);
    }

    void open() {
      opened.countDown();
    }

    @Override
    public void before(String current) {
      if (!current.equals(step) || !armed.compareAndSet(true, false)) {
        return;
      }
      reached.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          opened.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
