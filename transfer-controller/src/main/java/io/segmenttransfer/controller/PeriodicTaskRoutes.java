package io.segmenttransfer.controller;

import io.segmenttransfer.controller.task.PeriodicTasks;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.util.LinkedHashSet;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code /periodictask}: Pinot's {@code GET
 * /periodictask/run?taskname=T[&tableName=N[&type=OFFLINE|REALTIME]]} and {@code GET
 * /periodictask/names}, plus this project's {@code GET /periodictask/status}. Pinot answers a run
 * request at once and runs it in the background; here the answer waits for the run and says what it
 * did ({@link PeriodicTasks.RunAnswer}), or that a run is in progress already.
 */
final class PeriodicTaskRoutes {

  private final ControllerState state;
  private final PeriodicTasks tasks;

  PeriodicTaskRoutes(ControllerState state, PeriodicTasks tasks) {
    this.state = state;
    this.tasks = tasks;
  }

  void register(HttpServerRoutes routes) {
    routes
        .get("/periodictask/run", HttpJson.handler(this::run))
        .get(
            "/periodictask/names",
            HttpJson.handler(
                (request, response) ->
                    HttpJson.ok(response, HttpJson.MAPPER.valueToTree(tasks.names()))))
        .get(
            "/periodictask/status",
            HttpJson.handler(
                (request, response) ->
                    HttpJson.ok(
                        response,
                        HttpJson.MAPPER
                            .createObjectNode()
                            .set("tasks", HttpJson.MAPPER.valueToTree(tasks.status())))));
  }

  private Mono<Void> run(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.query(request, "taskname");
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException(
          null, "the query parameter taskname is missing; tasks: " + tasks.names());
    }
    return tasks
        .run(name.trim(), tables(request))
        .flatMap(answer -> HttpJson.ok(response, HttpJson.MAPPER.valueToTree(answer)));
  }

  /**
   * The tables {@code tableName} (raw or with type, narrowed by {@code type}) names; null for every
   * table.
   */
  private Set<TableNameWithType> tables(HttpServerRequest request) {
    String name = HttpJson.queryName(request, "tableName");
    if (name == null || name.isBlank()) {
      return null;
    }
    String type =
        HttpJson.query(request, "type") != null
            ? HttpJson.query(request, "type")
            : HttpJson.query(request, "tableType");
    Set<TableNameWithType> tables = new LinkedHashSet<>(TableNames.resolve(name.trim(), type));
    tables.removeIf(table -> !state.hasTable(table));
    if (tables.isEmpty()) {
      throw new EntityNotFoundException(null, "Table " + name.trim() + " does not exist");
    }
    return tables;
  }
}
