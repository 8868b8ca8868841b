package io.segmenttransfer.controller.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The runner: schedules on virtual time, one run at a time, unknown names refused. */
class PeriodicTasksTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A task that counts its runs; each run ends when {@code release} says so (at once if null). */
  private static final class CountingTask implements PeriodicTask {
    final AtomicInteger runs = new AtomicInteger();
    final List<Set<TableNameWithType>> tables = new CopyOnWriteArrayList<>();
    final Duration interval;
    volatile Sinks.Empty<Void> release;

    CountingTask(Duration interval) {
      this.interval = interval;
    }

    @Override
    public String name() {
      return "Counting";
    }

    @Override
    public Duration interval() {
      return interval;
    }

    @Override
    public Mono<?> run(Set<TableNameWithType> tables) {
      return Mono.defer(
          () -> {
            int run = runs.incrementAndGet();
            this.tables.add(tables == null ? Set.of() : tables);
            Sinks.Empty<Void> gate = release;
            return (gate == null ? Mono.<Void>empty() : gate.asMono())
                .thenReturn(Map.of("run", run));
          });
    }

    @Override
    public Map<String, Object> status() {
      return Map.of("gauge", 7);
    }
  }

  @Test
  void runsEveryIntervalOnItsSchedulerFirstOneIntervalAfterTheStart() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    CountingTask task = new CountingTask(Duration.ofMinutes(5));
    try (PeriodicTasks tasks = new PeriodicTasks(List.of(task), time)) {
      tasks.start();

      time.advanceTimeBy(Duration.ofMinutes(4));
      assertThat(task.runs).as("nothing before the first interval").hasValue(0);
      time.advanceTimeBy(Duration.ofMinutes(1));
      assertThat(task.runs).hasValue(1);
      time.advanceTimeBy(Duration.ofMinutes(10));
      assertThat(task.runs).hasValue(3);
      assertThat(task.tables).as("scheduled runs cover every table").containsOnly(Set.of());
    }
  }

  @Test
  void aScheduledRunComingDueWhileOneRunsIsSkippedNotQueued() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    CountingTask task = new CountingTask(Duration.ofMinutes(5));
    task.release = Sinks.empty();
    try (PeriodicTasks tasks = new PeriodicTasks(List.of(task), time)) {
      tasks.start();

      time.advanceTimeBy(Duration.ofMinutes(5));
      time.advanceTimeBy(Duration.ofMinutes(20));
      assertThat(task.runs).as("the first run is still going").hasValue(1);

      task.release.tryEmitEmpty();
      task.release = null;
      time.advanceTimeBy(Duration.ofMinutes(5));
      assertThat(task.runs).as("the ticks missed meanwhile are not made up").hasValue(2);
    }
  }

  @Test
  void intervalZeroDisablesTheScheduleButNotOnDemandRuns() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    CountingTask task = new CountingTask(Duration.ZERO);
    try (PeriodicTasks tasks = new PeriodicTasks(List.of(task), time)) {
      tasks.start();
      time.advanceTimeBy(Duration.ofDays(1));
      assertThat(task.runs).hasValue(0);

      StepVerifier.create(tasks.run("Counting", null))
          .assertNext(
              answer -> {
                assertThat(answer.status()).isEqualTo(PeriodicTasks.Status.DONE);
                assertThat(answer.report()).isEqualTo(Map.of("run", 1));
              })
          .expectComplete()
          .verify(TIMEOUT);
    }
  }

  @Test
  void aSecondRunWhileOneRunsAnswersThatItIsRunningAndTheNextOneRunsAgain() {
    CountingTask task = new CountingTask(Duration.ZERO);
    task.release = Sinks.empty();
    try (PeriodicTasks tasks = new PeriodicTasks(List.of(task), VirtualTimeScheduler.create())) {
      Mono<PeriodicTasks.RunAnswer> first = tasks.run("Counting", null).cache();
      first.subscribe();

      StepVerifier.create(tasks.run("Counting", null))
          .assertNext(
              answer -> assertThat(answer.status()).isEqualTo(PeriodicTasks.Status.ALREADY_RUNNING))
          .expectComplete()
          .verify(TIMEOUT);
      assertThat(tasks.status().get(0)).containsEntry("running", true).containsEntry("gauge", 7);

      task.release.tryEmitEmpty();
      StepVerifier.create(first)
          .assertNext(answer -> assertThat(answer.status()).isEqualTo(PeriodicTasks.Status.DONE))
          .expectComplete()
          .verify(TIMEOUT);
      task.release = null;
      StepVerifier.create(tasks.run("Counting", Set.of(TableNameWithType.parse("events_OFFLINE"))))
          .assertNext(
              answer -> {
                assertThat(answer.status()).isEqualTo(PeriodicTasks.Status.DONE);
                assertThat(answer.tables()).containsExactly("events_OFFLINE");
              })
          .expectComplete()
          .verify(TIMEOUT);
      assertThat(task.runs).hasValue(2);
      assertThat(tasks.status().get(0)).containsEntry("running", false).containsEntry("runs", 2L);
    }
  }

  @Test
  void anUnknownTaskNameFails() {
    try (PeriodicTasks tasks =
        new PeriodicTasks(
            List.of(new CountingTask(Duration.ZERO)), VirtualTimeScheduler.create())) {
      StepVerifier.create(tasks.run("NoSuchTask", null))
          .expectErrorSatisfies(
              e ->
                  assertThat(e)
                      .isInstanceOf(InvalidRequestException.class)
                      .hasMessageContaining("Counting"))
          .verify(TIMEOUT);
    }
  }
}
