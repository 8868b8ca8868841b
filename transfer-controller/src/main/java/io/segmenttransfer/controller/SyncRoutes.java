package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.sync.DeepStoreSync;
import io.segmenttransfer.controller.sync.DeepStoreSyncTask;
import io.segmenttransfer.controller.sync.ProcessorOptions;
import io.segmenttransfer.controller.sync.SyncMode;
import io.segmenttransfer.controller.sync.SyncRequest;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The deep-store sync's REST surface: {@code POST /tasks/DeepStoreSync/run?tableName=T
 * &reloadOnly=&forceReload=&processor=pinot|recompress|command[&codec=&level=][&command=]
 * [&parallelism=N][&timeoutSeconds=N][&wait=false]} answers the run's report when it ended (or at
 * once with {@code wait=false}, for a client that follows {@code runs/{id}}), 409 with the running
 * run's id when the table has one; {@code GET /tasks/DeepStoreSync/runs/{id}} a run in progress or
 * finished; {@code DELETE /tasks/DeepStoreSync/runs/{id}} cancels one.
 */
final class SyncRoutes {

  private static final String BASE = "/tasks/" + DeepStoreSyncTask.NAME;

  private final ControllerState state;
  private final DeepStoreSync sync;

  SyncRoutes(ControllerState state, DeepStoreSync sync) {
    this.state = state;
    this.sync = sync;
  }

  void register(HttpServerRoutes routes) {
    routes
        .post(BASE + "/run", HttpJson.handler(this::run))
        .get(
            BASE + "/runs/{id}",
            HttpJson.handler(
                (request, response) ->
                    HttpJson.ok(response, known(sync.run(HttpJson.path(request, "id")), request))))
        .delete(
            BASE + "/runs/{id}",
            HttpJson.handler(
                (request, response) ->
                    HttpJson.ok(
                        response, known(sync.cancel(HttpJson.path(request, "id")), request))));
  }

  private static com.fasterxml.jackson.databind.JsonNode known(
      java.util.Optional<SyncReport> report, HttpServerRequest request) {
    return report
        .orElseThrow(
            () ->
                new EntityNotFoundException(
                    null,
                    "no deep-store sync run "
                        + HttpJson.path(request, "id")
                        + " (finished runs are kept: the last 100)"))
        .toJson();
  }

  private Mono<Void> run(HttpServerRequest request, HttpServerResponse response) {
    SyncRequest asked =
        new SyncRequest(
            table(request),
            SyncMode.of(flag(request, "reloadOnly"), flag(request, "forceReload")),
            new ProcessorOptions(
                HttpJson.query(request, "processor"),
                HttpJson.query(request, "codec"),
                optionalInt(request, "level"),
                HttpJson.query(request, "command")),
            optionalInt(request, "parallelism"),
            optionalInt(request, "timeoutSeconds") == null
                ? null
                : Duration.ofSeconds(optionalInt(request, "timeoutSeconds")));
    boolean wait = !"false".equalsIgnoreCase(HttpJson.query(request, "wait"));
    return sync.start(asked)
        .flatMap(
            started -> {
              SyncReport report = started.report();
              if (started.alreadyRunning()) {
                ObjectNode body = HttpJson.MAPPER.createObjectNode();
                body.put("code", 409);
                body.put(
                    "error",
                    "a "
                        + DeepStoreSyncTask.NAME
                        + " run of "
                        + report.tableNameWithType()
                        + " is in progress: "
                        + report.runId());
                body.put("runId", report.runId());
                body.set("report", report.toJson());
                return HttpJson.send(response, 409, body);
              }
              Mono<SyncReport> answer =
                  wait && report.isRunning()
                      ? sync.whenFinished(report.runId()).defaultIfEmpty(report)
                      : Mono.just(report);
              return answer.flatMap(done -> HttpJson.ok(response, done.toJson()));
            });
  }

  /** {@code tableName}, raw or typed; a raw name must name one existing table. */
  private TableNameWithType table(HttpServerRequest request) {
    String name = HttpJson.queryName(request, "tableName");
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException(null, "the query parameter tableName is missing");
    }
    String type = HttpJson.query(request, "tableType");
    List<TableNameWithType> existing =
        TableNames.resolve(name.trim(), type).stream().filter(state::hasTable).toList();
    if (existing.isEmpty()) {
      throw new EntityNotFoundException(null, "Table " + name.trim() + " does not exist");
    }
    if (existing.size() > 1) {
      throw new InvalidRequestException(
          null, "table " + name.trim() + " has both types: name one (" + existing + ")");
    }
    return existing.get(0);
  }

  private static boolean flag(HttpServerRequest request, String name) {
    String value = HttpJson.query(request, name);
    if (value == null || value.isBlank()) {
      return false;
    }
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new InvalidRequestException(
        null, "query parameter " + name + " must be true or false, was '" + value + "'");
  }

  private static Integer optionalInt(HttpServerRequest request, String name) {
    String value = HttpJson.query(request, name);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Integer.valueOf(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          null, "query parameter " + name + " is not a number: '" + value + "'");
    }
  }
}
