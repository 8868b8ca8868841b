package io.segmenttransfer.controller.sync;

import io.segmenttransfer.controller.ControllerState;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.task.PeriodicTask;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The deep-store sync on the controller's schedule ({@code PeriodicTasks}, {@code GET
 * /periodictask/run?taskname=DeepStoreSync}): one run per table, one table after another, in the
 * configured mode with the configured processor. A table with a run in progress (started on demand)
 * is left to it. Reports every table's run.
 */
public final class DeepStoreSyncTask implements PeriodicTask {

  public static final String NAME = "DeepStoreSync";

  private final DeepStoreSync sync;
  private final ControllerState state;

  public DeepStoreSyncTask(DeepStoreSync sync, ControllerState state) {
    this.sync = sync;
    this.state = state;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Duration interval() {
    return sync.config().interval();
  }

  @Override
  public Mono<List<SyncReport>> run(@Nullable Set<TableNameWithType> tables) {
    DeepStoreSyncConfig config = sync.config();
    return Flux.fromIterable(
            tables == null
                ? state.tableNames().stream()
                    .sorted(java.util.Comparator.comparing(Object::toString))
                    .toList()
                : List.copyOf(tables))
        .concatMap(
            table ->
                sync.start(
                        new SyncRequest(table, config.scheduledMode(), config.scheduledProcessor()))
                    .flatMap(
                        started ->
                            started.alreadyRunning()
                                ? Mono.just(started.report())
                                : sync.whenFinished(started.report().runId()))
                    .onErrorResume(
                        error ->
                            Mono.just(
                                new SyncReport(
                                    "-",
                                    table.toString(),
                                    SyncReport.FAILED,
                                    config.scheduledMode().label(),
                                    config.scheduledProcessor().processor(),
                                    "",
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    List.of(),
                                    List.of(),
                                    List.of(),
                                    0,
                                    0,
                                    String.valueOf(error.getMessage())))))
        .collectList();
  }

  @Override
  public Map<String, Object> status() {
    return Map.of("running", sync.runningIds());
  }
}
