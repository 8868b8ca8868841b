package io.segmenttransfer.core.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Blocking work on the scheduler, counted; on a disposed one, refused at once. */
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
}
