package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.api.TableConfigState;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code /tables}: create, read, update and delete table configs, and each table's ideal state and
 * external view. {@code GET /tables/{name}} answers Pinot's way: an object keyed by table type
 * holding the config of each type that exists ({@code {"OFFLINE": {...}}}).
 */
final class TableRoutes {

  private final ControllerState state;
  private final ArchiveJanitor janitor;
  private final Clock clock;

  TableRoutes(ControllerState state, ArchiveJanitor janitor, Clock clock) {
    this.state = state;
    this.janitor = janitor;
    this.clock = clock;
  }

  void register(HttpServerRoutes routes) {
    routes
        .get("/tables", HttpJson.handler(this::list))
        .post("/tables", HttpJson.handler(this::create))
        .get("/tables/{tableName}/idealstate", HttpJson.handler((q, r) -> view(q, r, true)))
        .get("/tables/{tableName}/externalview", HttpJson.handler((q, r) -> view(q, r, false)))
        .get("/tables/{tableName}/configHash", HttpJson.handler(this::configHash))
        .get("/tables/{tableName}", HttpJson.handler(this::get))
        .put("/tables/{tableName}", HttpJson.handler(this::update))
        .delete("/tables/{tableName}", HttpJson.handler(this::delete));
  }

  private Mono<Void> list(HttpServerRequest request, HttpServerResponse response) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    ArrayNode names = body.putArray("tables");
    // Pinot lists raw names, once per table whatever types it has.
    TreeSet<String> raw = new TreeSet<>();
    state.tableNames().forEach(t -> raw.add(t.rawName()));
    raw.forEach(names::add);
    return HttpJson.ok(response, body);
  }

  private Mono<Void> create(HttpServerRequest request, HttpServerResponse response) {
    return HttpJson.body(request)
        .map(TableConfig::parse)
        .flatMap(
            config ->
                state.mutate(
                    draft -> {
                      if (draft.hasTable(config.table())) {
                        throw new StateConflictException(
                            null, "Table " + config.table() + " already exists");
                      }
                      draft.putTable(config, clock.millis());
                      return config;
                    }))
        .flatMap(
            config ->
                HttpJson.ok(
                    response,
                    HttpJson.MAPPER
                        .createObjectNode()
                        .<ObjectNode>set(
                            "unrecognizedProperties", HttpJson.MAPPER.createObjectNode())
                        .put("status", "Table " + config.table() + " successfully added")));
  }

  private Mono<Void> update(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "tableName");
    return HttpJson.body(request)
        .map(TableConfig::parse)
        .flatMap(
            config -> {
              if (!config.table().rawName().equals(TableNames.raw(name))) {
                return Mono.error(
                    new io.segmenttransfer.core.error.InvalidRequestException(
                        null,
                        "table config field 'tableName' is " + config.table() + ", not " + name));
              }
              return state.mutate(
                  draft -> {
                    draft.table(config.table());
                    draft.putTable(config, clock.millis());
                    return config;
                  });
            })
        .flatMap(config -> HttpJson.status(response, "Table config updated for " + config.table()));
  }

  private Mono<Void> get(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "tableName");
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    for (TableNameWithType table : TableNames.resolve(name, typeParam(request))) {
      if (state.hasTable(table)) {
        body.set(table.type().name(), state.table(table).config().json());
      }
    }
    if (body.isEmpty()) {
      throw new EntityNotFoundException(null, "Table " + name + " does not exist");
    }
    return HttpJson.ok(response, body);
  }

  /**
   * This project's {@code GET /tables/{tableName}/configHash[?type=]}: the table's config hash and
   * when it last changed, for servers answering {@code isStale}. A raw name must resolve to one
   * table.
   */
  private Mono<Void> configHash(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "tableName");
    List<TableNameWithType> existing =
        TableNames.resolve(name, typeParam(request)).stream().filter(state::hasTable).toList();
    if (existing.isEmpty()) {
      throw new EntityNotFoundException(null, "Table " + name + " does not exist");
    }
    if (existing.size() > 1) {
      throw new io.segmenttransfer.core.error.InvalidRequestException(
          null, "table " + name + " has both types: name one (" + existing + ")");
    }
    TableNameWithType table = existing.get(0);
    TableConfigState hash =
        new TableConfigState(
            table,
            state.tableHash(table),
            state.table(table).changedTimeMs(),
            TableConfigHash.schemaName(state.table(table).config()));
    return HttpJson.ok(response, ControllerJson.MAPPER.valueToTree(hash.toJson()));
  }

  private Mono<Void> delete(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "tableName");
    List<TableNameWithType> candidates = TableNames.resolve(name, typeParam(request));
    return state
        .mutate(
            draft -> {
              List<TableNameWithType> deleted = new ArrayList<>();
              List<URI> archives = new ArrayList<>();
              for (TableNameWithType table : candidates) {
                if (draft.hasTable(table)) {
                  archives.addAll(draft.deleteTable(table));
                  deleted.add(table);
                }
              }
              if (deleted.isEmpty()) {
                throw new EntityNotFoundException(null, "Table " + name + " does not exist");
              }
              return Map.entry(deleted, archives);
            })
        .flatMap(
            result ->
                janitor
                    .delete(result.getValue())
                    .then(HttpJson.status(response, "Tables: " + result.getKey() + " deleted")));
  }

  private Mono<Void> view(HttpServerRequest request, HttpServerResponse response, boolean ideal) {
    String name = HttpJson.path(request, "tableName");
    Map<String, Map<String, String>> offline = null;
    Map<String, Map<String, String>> realtime = null;
    for (TableNameWithType table : TableNames.resolve(name, HttpJson.query(request, "tableType"))) {
      Map<String, Map<String, String>> view =
          ideal ? state.idealState(table) : state.externalView(table);
      if (table.type() == TableType.OFFLINE) {
        offline = view;
      } else {
        realtime = view;
      }
    }
    if (offline == null && realtime == null) {
      throw new EntityNotFoundException(
          null,
          (ideal ? "Ideal state" : "External view") + " of table " + name + " does not exist");
    }
    return HttpJson.ok(response, ControllerJson.view(offline, realtime));
  }

  private static String typeParam(HttpServerRequest request) {
    String type = HttpJson.query(request, "type");
    return type != null ? type : HttpJson.query(request, "tableType");
  }
}
