package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code /instances}: Pinot's registration and lookup, plus this project's extensions for servers:
 * the long-polled assignment ({@code GET /instances/{id}/assignment?sinceVersion=N&timeoutMs=T})
 * and state reports ({@code PUT|DELETE
 * /instances/{id}/segments/{tableNameWithType}/{segment}/state}), from which the external view is
 * built.
 */
final class InstanceRoutes {

  /** How long a long poll waits when the request does not say. */
  static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(30);

  private final ControllerState state;
  private final Duration maxLongPoll;

  InstanceRoutes(ControllerState state, Duration maxLongPoll) {
    this.state = state;
    this.maxLongPoll = maxLongPoll;
  }

  void register(HttpServerRoutes routes) {
    routes
        .post("/instances", HttpJson.handler(this::register))
        .get("/instances", HttpJson.handler(this::list))
        .get("/instances/{id}/assignment", HttpJson.handler(this::assignment))
        .put(
            "/instances/{id}/segments/{tableNameWithType}/{segmentName}/state",
            HttpJson.handler(this::report))
        .delete(
            "/instances/{id}/segments/{tableNameWithType}/{segmentName}/state",
            HttpJson.handler(this::drop))
        .get("/instances/{id}", HttpJson.handler(this::get))
        .delete("/instances/{id}", HttpJson.handler(this::delete));
  }

  /** Idempotent: registering again answers 200 and updates the admin port or enabled flag. */
  private Mono<Void> register(HttpServerRequest request, HttpServerResponse response) {
    return HttpJson.body(request)
        .map(ControllerJson::readRegistration)
        .flatMap(
            info ->
                state
                    .mutate(draft -> draft.putInstance(info))
                    .flatMap(
                        added ->
                            HttpJson.ok(
                                response,
                                HttpJson.MAPPER
                                    .createObjectNode()
                                    .put(
                                        "status",
                                        (added
                                                ? "Added instance: "
                                                : "Instance already registered: ")
                                            + info.id())
                                    .put("instanceName", info.id()))));
  }

  private Mono<Void> list(HttpServerRequest request, HttpServerResponse response) {
    ObjectNode body = HttpJson.MAPPER.createObjectNode();
    ArrayNode ids = body.putArray("instances");
    state.instanceIds().forEach(ids::add);
    return HttpJson.ok(response, body);
  }

  private Mono<Void> get(HttpServerRequest request, HttpServerResponse response) {
    return HttpJson.ok(
        response, ControllerJson.instance(state.instance(HttpJson.path(request, "id")).info()));
  }

  private Mono<Void> delete(HttpServerRequest request, HttpServerResponse response) {
    String id = HttpJson.path(request, "id");
    return state
        .mutate(
            draft -> {
              draft.deleteInstance(id);
              return id;
            })
        .flatMap(deleted -> HttpJson.status(response, "Instance " + deleted + " dropped"));
  }

  private Mono<Void> assignment(HttpServerRequest request, HttpServerResponse response) {
    String id = HttpJson.path(request, "id");
    long since = HttpJson.queryLong(request, "sinceVersion", -1);
    long timeoutMs = HttpJson.queryLong(request, "timeoutMs", DEFAULT_POLL_TIMEOUT.toMillis());
    if (timeoutMs < 0) {
      throw new InvalidRequestException(null, "timeoutMs must not be negative");
    }
    Duration timeout = Duration.ofMillis(Math.min(timeoutMs, maxLongPoll.toMillis()));
    return state
        .awaitAssignment(id, since, timeout)
        .flatMap(assignment -> HttpJson.ok(response, ControllerJson.assignment(assignment)));
  }

  private Mono<Void> report(HttpServerRequest request, HttpServerResponse response) {
    String id = HttpJson.path(request, "id");
    SegmentId segment =
        SegmentId.of(
            HttpJson.path(request, "tableNameWithType"), HttpJson.path(request, "segmentName"));
    return HttpJson.body(request)
        .map(body -> SegmentState.parse(text(body, "state")))
        .flatMap(
            reported ->
                state.mutate(
                    draft -> {
                      draft.reportState(id, segment, reported);
                      return reported;
                    }))
        .flatMap(
            reported -> HttpJson.status(response, id + " reports " + segment + " " + reported));
  }

  private Mono<Void> drop(HttpServerRequest request, HttpServerResponse response) {
    String id = HttpJson.path(request, "id");
    SegmentId segment =
        SegmentId.of(
            HttpJson.path(request, "tableNameWithType"), HttpJson.path(request, "segmentName"));
    return state
        .mutate(
            draft -> {
              draft.reportState(id, segment, null);
              return segment;
            })
        .flatMap(dropped -> HttpJson.status(response, id + " no longer reports " + dropped));
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual()) {
      throw new InvalidRequestException(null, "request field '" + field + "' is missing");
    }
    return value.asText();
  }
}
