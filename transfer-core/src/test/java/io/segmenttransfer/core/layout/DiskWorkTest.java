package io.segmenttransfer.core.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Blocking work on a scheduler that cannot run it: refused at once, never left pending. */
class DiskWorkTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final DiskWork counted = new DiskWork();
  private final AtomicBoolean ran = new AtomicBoolean();

  private Mono<Integer> work(Scheduler scheduler) {
    return DiskWork.blocking(
            scheduler,
            () -> {
              ran.set(true);
              return 7;
            })
        .contextWrite(counted::putIn);
  }

  @Test
  void workRunsOnTheSchedulerAndCountsUntilItReturned() {
    StepVerifier.create(work(Schedulers.boundedElastic()))
        .expectNext(7)
        .expectComplete()
        .verify(WAIT);
    assertThat(ran).isTrue();
    assertThat(counted.running()).isZero();
  }

  @Test
  void aDisposedSchedulerIsRefusedWithoutTouchingIt() {
    Scheduler disposed = Schedulers.newSingle("disk-work-test");
    disposed.dispose();

    StepVerifier.create(work(disposed))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("disposed"))
        .verify(WAIT);
    assertThat(ran).isFalse();
    assertThat(counted.running()).isZero();
  }

  @Test
  void workAnExecutorDropsWhileShuttingDownFailsInsteadOfNeverEnding() {
    // What a JDK scheduled executor shut down while the task was being queued does: takes it,
    // cancels it, throws nothing. Before, the work's Mono then never completed (a shutdown that
    // waited on it hung until its deadline).
    Scheduler dropping =
        new Scheduler() {
          @Override
          public Disposable schedule(Runnable task) {
            return Disposables.disposed();
          }

          @Override
          public Worker createWorker() {
            throw new UnsupportedOperationException("not used by DiskWork");
          }
        };

    StepVerifier.create(work(dropping)).expectError(RejectedExecutionException.class).verify(WAIT);
    assertThat(ran).isFalse();
    assertThat(counted.running()).isZero();
  }
}
