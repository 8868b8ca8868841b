package io.segmenttransfer.core.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * {@link SegmentDataDirectory#adopt}: a segment built on this machine, copied in, verified and
 * swapped.
 */
class SegmentAdoptTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT =
      SegmentId.of("events_REALTIME", "events__0__3__20261206T1200Z");

  private static Scheduler scheduler;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 100, "adopt-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  private Path built(long seed) throws IOException {
    Path dir = root.resolve("built-" + seed).resolve(SEGMENT.segmentName());
    for (Map.Entry<String, byte[]> file : DataDirectoryHarness.version(seed).entrySet()) {
      Path target = dir.resolve(file.getKey());
      Files.createDirectories(target.getParent());
      Files.write(target, file.getValue());
    }
    return dir;
  }

  @Test
  void installsAVerifiedCopyAndLeavesTheSourceAlone() throws IOException {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    SegmentDataDirectory directory = harness.directory();
    Path source = built(1);
    Map<String, String> before = DirectorySnapshot.of(source);

    SegmentOutcome outcome = directory.adopt(SEGMENT, source).block(TIMEOUT);

    assertThat(outcome.action()).isEqualTo(SegmentOutcome.Action.ADOPTED);
    assertThat(outcome.crc()).isEqualTo(TestArchives.crcOf(DataDirectoryHarness.version(1)));
    assertThat(DataDirectoryHarness.filesOf(harness.dataDir, SEGMENT))
        .isEqualTo(DataDirectoryHarness.snapshotOf(1));
    assertThat(DirectorySnapshot.of(source)).isEqualTo(before);
    assertThat(DataDirectoryHarness.leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void replacesACopyInService() throws IOException {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    SegmentDataDirectory directory = harness.directory();
    directory.adopt(SEGMENT, built(1)).block(TIMEOUT);

    directory.adopt(SEGMENT, built(2)).block(TIMEOUT);

    assertThat(DataDirectoryHarness.filesOf(harness.dataDir, SEGMENT))
        .isEqualTo(DataDirectoryHarness.snapshotOf(2));
    assertThat(DataDirectoryHarness.leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void filesThatDoNotAddUpToCreationMetaAreRefusedAndNothingIsLeft() throws IOException {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    SegmentDataDirectory directory = harness.directory();
    directory.adopt(SEGMENT, built(1)).block(TIMEOUT);
    Path tampered = built(2);
    try (var files = Files.walk(tampered)) {
      Path victim =
          files
              .filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().equals("creation.meta"))
              .findFirst()
              .orElseThrow();
      Files.write(victim, new byte[] {1, 2, 3});
    }

    StepVerifier.create(directory.adopt(SEGMENT, tampered))
        .expectError(CrcMismatchException.class)
        .verify(TIMEOUT);

    assertThat(DataDirectoryHarness.filesOf(harness.dataDir, SEGMENT))
        .isEqualTo(DataDirectoryHarness.snapshotOf(1));
    assertThat(DataDirectoryHarness.leftovers(harness.dataDir, SEGMENT)).isEmpty();
  }

  @Test
  void aDirectoryWithoutCreationMetaIsNotASegment() throws IOException {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    Path notASegment =
        Files.createDirectories(root.resolve("plain").resolve(SEGMENT.segmentName()));
    Files.writeString(notASegment.resolve("readme.txt"), "hello");

    StepVerifier.create(harness.directory().adopt(SEGMENT, notASegment))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("creation.meta"))
        .verify(TIMEOUT);
    StepVerifier.create(harness.directory().adopt(SEGMENT, root.resolve("missing")))
        .expectError(InvalidRequestException.class)
        .verify(TIMEOUT);
    assertThat(
            new io.segmenttransfer.core.layout.SegmentPaths(harness.dataDir, SEGMENT).segmentDir())
        .doesNotExist();
  }

  @Test
  void aCrashBeforeTheSwapLeavesTheOldCopyAfterRecovery() throws IOException {
    DataDirectoryHarness harness = new DataDirectoryHarness(root, scheduler);
    harness.directory().adopt(SEGMENT, built(1)).block(TIMEOUT);
    for (String step : new String[] {"adopt-copy", "backup", "install"}) {
      SegmentSwap.StepObserver crash =
          s -> {
            if (s.equals(step)) {
              throw new IllegalStateException("simulated kill before " + s);
            }
          };
      SegmentDataDirectory crashing =
          harness.directory(
              DataDirectoryConfig.defaults(), crash, null, PeerFinder.NONE, harness.dataDir);
      StepVerifier.create(crashing.adopt(SEGMENT, built(2))).expectError().verify(TIMEOUT);

      harness.directory().recover().block(TIMEOUT);

      assertThat(DataDirectoryHarness.filesOf(harness.dataDir, SEGMENT))
          .as("after a kill before " + step)
          .isEqualTo(DataDirectoryHarness.snapshotOf(1));
      assertThat(DataDirectoryHarness.leftovers(harness.dataDir, SEGMENT)).isEmpty();
    }
  }
}
