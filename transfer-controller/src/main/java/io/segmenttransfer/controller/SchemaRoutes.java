package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.SafeName;
import java.time.Clock;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * Pinot's schema endpoints: {@code GET /schemas} (names), {@code POST /schemas[?override=false]},
 * {@code GET/PUT/DELETE /schemas/{name}}. Schemas are kept as posted and persisted with the rest of
 * the state; a table uses the schema named like its raw name (or its {@code
 * segmentsConfig.schemaName}). Adding, changing or deleting a schema changes the config hash of the
 * tables using it ({@link TableConfigHash}) and records when. A schema some table uses cannot be
 * deleted (409), as in Pinot.
 */
final class SchemaRoutes {

  private final ControllerState state;
  private final Clock clock;

  SchemaRoutes(ControllerState state, Clock clock) {
    this.state = state;
    this.clock = clock;
  }

  void register(HttpServerRoutes routes) {
    routes
        .get(
            "/schemas",
            HttpJson.handler(
                (request, response) ->
                    HttpJson.ok(response, HttpJson.MAPPER.valueToTree(state.schemaNames()))))
        .post("/schemas", HttpJson.handler((q, r) -> put(q, r, null)))
        .get("/schemas/{name}", HttpJson.handler(this::get))
        .put(
            "/schemas/{name}",
            HttpJson.handler((q, r) -> put(q, r, checkedName(HttpJson.path(q, "name")))))
        .delete("/schemas/{name}", HttpJson.handler(this::delete));
  }

  private Mono<Void> get(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "name");
    return HttpJson.ok(
        response,
        state
            .schema(name)
            .orElseThrow(() -> new EntityNotFoundException(null, "Schema " + name + " not found")));
  }

  /** POST ({@code pathName} null) or PUT; {@code override=false} refuses to replace (409). */
  private Mono<Void> put(HttpServerRequest request, HttpServerResponse response, String pathName) {
    boolean override = !"false".equalsIgnoreCase(HttpJson.query(request, "override"));
    return HttpJson.body(request)
        .flatMap(
            body -> {
              ObjectNode schema = checkedSchema(body);
              String name = schema.get("schemaName").asText().trim();
              if (pathName != null && !pathName.equals(name)) {
                return Mono.error(
                    new InvalidRequestException(
                        null,
                        "schema field 'schemaName' is '" + name + "', not '" + pathName + "'"));
              }
              return state.mutate(
                  draft -> {
                    boolean exists = draft.schema(name) != null;
                    if (pathName != null && !exists) {
                      throw new EntityNotFoundException(null, "Schema " + name + " not found");
                    }
                    if (pathName == null && exists && !override) {
                      throw new StateConflictException(
                          null, "Schema " + name + " already exists (override=false)");
                    }
                    draft.putSchema(name, schema, clock.millis());
                    return name;
                  });
            })
        .flatMap(
            name ->
                HttpJson.ok(
                    response,
                    HttpJson.MAPPER
                        .createObjectNode()
                        .<ObjectNode>set(
                            "unrecognizedProperties", HttpJson.MAPPER.createObjectNode())
                        .put("status", name + " successfully added")));
  }

  private Mono<Void> delete(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "name");
    return state
        .mutate(
            draft -> {
              if (draft.schema(name) == null) {
                throw new EntityNotFoundException(null, "Schema " + name + " not found");
              }
              List<?> using = draft.tablesUsing(name);
              if (!using.isEmpty()) {
                throw new StateConflictException(
                    null, "Cannot delete schema " + name + ": tables " + using + " use it");
              }
              draft.putSchema(name, null, clock.millis());
              return name;
            })
        .flatMap(deleted -> HttpJson.status(response, "Schema " + deleted + " deleted"));
  }

  private static ObjectNode checkedSchema(JsonNode body) {
    if (!body.isObject()) {
      throw new InvalidRequestException(null, "schema must be a JSON object");
    }
    JsonNode name = body.get("schemaName");
    if (name == null || !name.isTextual() || name.asText().isBlank()) {
      throw new InvalidRequestException(null, "schema field 'schemaName' is missing");
    }
    checkedName(name.asText().trim());
    return (ObjectNode) body;
  }

  private static String checkedName(String name) {
    return SafeName.check("schema name", name);
  }
}
