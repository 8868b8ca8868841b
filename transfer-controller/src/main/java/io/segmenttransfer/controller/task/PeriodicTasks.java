package io.segmenttransfer.controller.task;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Runs the controller's {@link PeriodicTask}s: each on its interval from {@link #start()}, and on
 * demand ({@code GET /periodictask/run}). One run of a task at a time: asking for another while one
 * runs answers {@link Status#ALREADY_RUNNING} at once, and a scheduled run that comes due meanwhile
 * is skipped, so slow runs never pile up. A run, once started, belongs to the runner, not to
 * whoever asked: a client that disconnects does not cancel it; {@link #close()} does.
 */
public final class PeriodicTasks implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PeriodicTasks.class);

  public enum Status {
    DONE,
    FAILED,
    ALREADY_RUNNING
  }

  /**
   * The answer to a run request.
   *
   * @param report what the run did (the task's report), for {@code DONE}
   * @param error why the run could not be made, for {@code FAILED}
   */
  public record RunAnswer(
      String taskName,
      Status status,
      @Nullable List<String> tables,
      @Nullable Object report,
      @Nullable String error) {}

  /** A task and its runs. */
  private static final class Entry {
    final PeriodicTask task;
    final AtomicBoolean running = new AtomicBoolean();
    final AtomicLong runs = new AtomicLong();
    volatile @Nullable Disposable current;
    volatile @Nullable RunAnswer last;

    Entry(PeriodicTask task) {
      this.task = task;
    }
  }

  private final Map<String, Entry> tasks = new LinkedHashMap<>();
  private final Scheduler timer;
  private final Disposable.Composite schedules = Disposables.composite();
  private volatile boolean closed;

  /**
   * @param timer where the intervals are counted (a virtual-time scheduler in tests)
   */
  public PeriodicTasks(List<PeriodicTask> tasks, Scheduler timer) {
    tasks.forEach(
        task -> {
          if (this.tasks.putIfAbsent(task.name(), new Entry(task)) != null) {
            throw new IllegalArgumentException("two periodic tasks named " + task.name());
          }
        });
    this.timer = timer;
  }

  /** Schedules every task with a positive interval; its first run comes one interval from now. */
  public void start() {
    for (Entry entry : tasks.values()) {
      Duration interval = entry.task.interval();
      if (interval.isZero()) {
        LOG.info("periodic task {}: on demand only (interval 0)", entry.task.name());
        continue;
      }
      schedules.add(
          Flux.interval(interval, interval, timer)
              .onBackpressureDrop()
              .concatMap(
                  tick -> run(entry, null),
                  0) // no prefetch: a tick due during a run is dropped, not kept
              .subscribe(
                  answer -> {
                    if (answer.status() == Status.ALREADY_RUNNING) {
                      LOG.debug(
                          "periodic task {}: scheduled run skipped, one is running",
                          answer.taskName());
                    }
                  },
                  error ->
                      LOG.error(
                          "periodic task {} stopped its schedule", entry.task.name(), error)));
    }
  }

  /** The task names, in registration order. */
  public List<String> names() {
    return List.copyOf(tasks.keySet());
  }

  /**
   * Runs {@code taskName} over {@code tables} (null: every table) unless it is running already.
   * Lazy. Emits the answer once the run ended; fails with {@link InvalidRequestException} for an
   * unknown task name.
   */
  public Mono<RunAnswer> run(String taskName, @Nullable Set<TableNameWithType> tables) {
    return Mono.defer(
        () -> {
          Entry entry = tasks.get(taskName);
          if (entry == null) {
            return Mono.error(
                new InvalidRequestException(
                    null, "unknown periodic task '" + taskName + "'; tasks: " + names()));
          }
          return run(entry, tables);
        });
  }

  private Mono<RunAnswer> run(Entry entry, @Nullable Set<TableNameWithType> tables) {
    return Mono.defer(
        () -> {
          String name = entry.task.name();
          List<String> tableNames =
              tables == null ? null : tables.stream().map(Object::toString).sorted().toList();
          if (closed || !entry.running.compareAndSet(false, true)) {
            return Mono.just(
                new RunAnswer(
                    name,
                    Status.ALREADY_RUNNING,
                    tableNames,
                    null,
                    closed
                        ? "the controller is stopping"
                        : "a run of " + name + " is in progress; ask again when it has ended"));
          }
          Sinks.One<RunAnswer> answer = Sinks.one();
          entry.current =
              Mono.defer(() -> entry.task.run(tables))
                  .<RunAnswer>map(
                      report -> new RunAnswer(name, Status.DONE, tableNames, report, null))
                  .switchIfEmpty(
                      Mono.fromSupplier(
                          () -> new RunAnswer(name, Status.DONE, tableNames, null, null)))
                  .onErrorResume(
                      error -> {
                        LOG.warn("periodic task {} failed", name, error);
                        return Mono.just(
                            new RunAnswer(
                                name,
                                Status.FAILED,
                                tableNames,
                                null,
                                String.valueOf(error.getMessage())));
                      })
                  .doOnCancel(
                      () -> {
                        entry.running.set(false);
                        answer.tryEmitValue(
                            new RunAnswer(
                                name,
                                Status.FAILED,
                                tableNames,
                                null,
                                "cancelled: the controller is stopping"));
                      })
                  .subscribe(
                      done -> {
                        entry.last = done;
                        entry.runs.incrementAndGet();
                        // Free before answering, so whoever got the answer can start the next run
                        // at once.
                        entry.running.set(false);
                        answer.tryEmitValue(done);
                      });
          return answer.asMono();
        });
  }

  /**
   * Per task: its interval, whether it runs now, how many runs ended, the last answer and the
   * task's own gauges.
   */
  public List<Map<String, Object>> status() {
    List<Map<String, Object>> status = new ArrayList<>();
    for (Entry entry : tasks.values()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("taskName", entry.task.name());
      one.put("intervalMs", entry.task.interval().toMillis());
      one.put("running", entry.running.get());
      one.put("runs", entry.runs.get());
      one.putAll(entry.task.status());
      one.put("lastRun", entry.last);
      status.add(one);
    }
    return status;
  }

  /** Stops the schedules and cancels the runs in progress. */
  @Override
  public void close() {
    closed = true;
    schedules.dispose();
    tasks
        .values()
        .forEach(
            entry -> {
              Disposable current = entry.current;
              if (current != null) {
                current.dispose();
              }
            });
  }
}
