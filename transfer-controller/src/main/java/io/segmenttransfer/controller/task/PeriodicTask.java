package io.segmenttransfer.controller.task;

import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** A controller task that {@link PeriodicTasks} runs on its interval and on demand. */
public interface PeriodicTask {

  /**
   * The name {@code GET /periodictask/run?taskname=} takes: Pinot's name where Pinot has the task.
   */
  String name();

  /** How long between scheduled runs; zero runs it only on demand. */
  Duration interval();

  /**
   * One run over {@code tables} (null: every table). Lazy. Emits what the run did, a value Jackson
   * writes as JSON (a record); fails only when the run could not be made at all: what goes wrong
   * for one segment is part of the report.
   */
  Mono<?> run(@Nullable Set<TableNameWithType> tables);

  /** Gauges and totals between runs (queue size, ...), written as JSON; read from any thread. */
  Map<String, Object> status();
}
