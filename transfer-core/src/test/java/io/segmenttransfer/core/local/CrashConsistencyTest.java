package io.segmenttransfer.core.local;

import static io.segmenttransfer.core.local.DataDirectoryHarness.filesOf;
import static io.segmenttransfer.core.local.DataDirectoryHarness.leftovers;
import static io.segmenttransfer.core.local.DataDirectoryHarness.snapshotOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Fails every step of add, replace and reload, two ways: an exception thrown at the step, and a
 * simulated process kill (the disk copied as it is at that step, then recovered by a fresh instance
 * that never saw the operation). After recovery the segment is exactly the old version or exactly
 * the new one, never a mix, never missing when an old copy existed, and nothing is left behind.
 */
class CrashConsistencyTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "crashy");
  private static final long OLD = 1;
  private static final long NEW = 2;

  private static Scheduler scheduler;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "crash-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  enum Scenario {
    ADD(false, (d, m) -> d.addOrReplace(m.get(NEW))),
    REPLACE(true, (d, m) -> d.addOrReplace(m.get(NEW))),
    RELOAD_COPY(true, (d, m) -> d.reload(m.get(OLD), false)),
    RELOAD_FORCED(true, (d, m) -> d.reload(m.get(NEW), true)),
    RELOAD_CHANGED(true, (d, m) -> d.reload(m.get(NEW), false));

    final boolean oldCopy;
    final java.util.function.BiFunction<
            SegmentDataDirectory, Map<Long, SegmentMetadata>, Mono<SegmentOutcome>>
        run;

    Scenario(
        boolean oldCopy,
        java.util.function.BiFunction<
                SegmentDataDirectory, Map<Long, SegmentMetadata>, Mono<SegmentOutcome>>
            run) {
      this.oldCopy = oldCopy;
      this.run = run;
    }
  }

  /** Throws at one named step (its n-th occurrence), or copies the disk there. */
  private static final class Injector implements SegmentSwap.StepObserver {
    final List<String> seen = new ArrayList<>();
    final String step;
    final Function<String, RuntimeException> failure;
    final Runnable kill;

    Injector(String step, Function<String, RuntimeException> failure, Runnable kill) {
      this.step = step;
      this.failure = failure;
      this.kill = kill;
    }

    @Override
    public synchronized void before(String name) {
      seen.add(name);
      if (name.equals(step)) {
        if (kill != null) {
          kill.run();
        }
        if (failure != null) {
          throw failure.apply(name);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void everyStepFailsSafely(Scenario scenario) {
    List<String> steps = stepsOf(scenario);
    assertThat(steps)
        .as("steps observed in " + scenario)
        .isNotEmpty()
        .contains("extract-staged")
        .doesNotHaveDuplicates();
    AtomicInteger runs = new AtomicInteger();
    for (String step : steps) {
      Path exceptionRoot = root.resolve("exception-" + runs.incrementAndGet());
      runWithException(scenario, step, exceptionRoot);
      Path killRoot = root.resolve("kill-" + runs.incrementAndGet());
      runWithKill(scenario, step, killRoot);
    }
  }

  private List<String> stepsOf(Scenario scenario) {
    Path dir = root.resolve("record");
    DataDirectoryHarness harness = new DataDirectoryHarness(dir, scheduler);
    Map<Long, SegmentMetadata> versions = prepare(harness, scenario);
    Injector recorder = new Injector("none", null, null);
    scenario.run.apply(directory(harness, recorder), versions).block(TIMEOUT);
    List<String> steps = new ArrayList<>(recorder.seen);
    // RELOAD_COPY extracts nothing; its steps are the reload's own.
    if (scenario == Scenario.RELOAD_COPY) {
      steps.add(0, "extract-staged");
    }
    return steps;
  }

  private void runWithException(Scenario scenario, String step, Path dir) {
    DataDirectoryHarness harness = new DataDirectoryHarness(dir, scheduler);
    Map<Long, SegmentMetadata> versions = prepare(harness, scenario);
    Injector injector =
        new Injector(step, name -> new IllegalStateException("injected failure at " + name), null);

    scenario
        .run
        .apply(directory(harness, injector), versions)
        .onErrorResume(e -> Mono.empty())
        .block(TIMEOUT);
    recoverFresh(harness, harness.dataDir);

    assertOldOrNew(scenario, step, "exception", harness.dataDir);
  }

  private void runWithKill(Scenario scenario, String step, Path dir) {
    DataDirectoryHarness harness = new DataDirectoryHarness(dir, scheduler);
    Map<Long, SegmentMetadata> versions = prepare(harness, scenario);
    Path crashedDisk = dir.resolve("crashed-disk");
    Injector injector = new Injector(step, null, () -> copyTree(harness.dataDir, crashedDisk));

    scenario
        .run
        .apply(directory(harness, injector), versions)
        .onErrorResume(e -> Mono.empty())
        .block(TIMEOUT);
    if (!Files.exists(crashedDisk)) {
      return; // the step does not occur on this path (RELOAD_COPY's synthetic extract-staged)
    }
    recoverFresh(harness, crashedDisk);

    assertOldOrNew(scenario, step, "kill", crashedDisk);
  }

  private Map<Long, SegmentMetadata> prepare(DataDirectoryHarness harness, Scenario scenario) {
    SegmentMetadata old = harness.publish(SEGMENT, OLD);
    SegmentMetadata fresh = harness.publish(SEGMENT, NEW);
    if (scenario.oldCopy) {
      harness.directory().addOrReplace(old).block(TIMEOUT);
    }
    return Map.of(OLD, old, NEW, fresh);
  }

  private SegmentDataDirectory directory(
      DataDirectoryHarness harness, SegmentSwap.StepObserver observer) {
    return harness.directory(
        DataDirectoryConfig.defaults(), observer, null, PeerFinder.NONE, harness.dataDir);
  }

  /** A new process: a fresh instance over the disk runs startup recovery. */
  private void recoverFresh(DataDirectoryHarness harness, Path dataDir) {
    harness
        .directory(
            DataDirectoryConfig.defaults(),
            SegmentSwap.StepObserver.NONE,
            null,
            PeerFinder.NONE,
            dataDir)
        .recover()
        .block(TIMEOUT);
  }

  private void assertOldOrNew(Scenario scenario, String step, String how, Path dataDir) {
    String context = scenario + " with a " + how + " at " + step;
    Map<String, String> files = filesOf(dataDir, SEGMENT);
    if (scenario.oldCopy) {
      assertThat(files).as(context).isIn(snapshotOf(OLD), snapshotOf(NEW));
    } else {
      assertThat(files).as(context).isIn(Map.of(), snapshotOf(NEW));
    }
    assertThat(leftovers(dataDir, SEGMENT)).as(context + ": leftovers").isEmpty();
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
