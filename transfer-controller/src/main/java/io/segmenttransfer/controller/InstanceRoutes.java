package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.SegmentId;
import java.time.Duration;
import java.util.List;
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
 *
 * <p>One live instance per id: a registration of an id whose instance is live (see {@link
 * InstanceSessions}) at another host or port is refused with 409, naming where it runs; the same
 * host and port registering again is the same server restarting and is accepted. An instance leaves
 * with {@code DELETE /instances/{id}}, refused with 409 while it holds ONLINE replicas unless
 * {@code ?force=true}; its segments then move to the other servers.
 */
final class InstanceRoutes {

  /** How long a long poll waits when the request does not say. */
  static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(30);

  private final ControllerState state;
  private final Duration maxLongPoll;
  private final InstanceSessions sessions;

  InstanceRoutes(ControllerState state, Duration maxLongPoll, InstanceSessions sessions) {
    this.state = state;
    this.maxLongPoll = maxLongPoll;
    this.sessions = sessions;
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
        .delete("/instances/{id}/session", HttpJson.handler(this::endSession))
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
                    .mutate(
                        draft -> {
                          refuseIfLiveElsewhere(draft, info);
                          return draft.putInstance(info);
                        })
                    .doOnNext(added -> sessions.touch(info.id()))
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
                                    .put("instanceName", info.id())))
                    .onErrorResume(
                        LiveElsewhere.class, e -> HttpJson.send(response, 409, e.body())));
  }

  /**
   * Refused while the id is live at another endpoint: two servers under one id would share one
   * assignment and one set of reported states, and the first to stop would mark every replica
   * OFFLINE while the other still serves them.
   */
  private void refuseIfLiveElsewhere(ControllerState.Draft draft, InstanceInfo info) {
    draft
        .findInstance(info.id())
        .map(ControllerStore.InstanceDocument::info)
        .filter(old -> !sameEndpoint(old, info))
        .ifPresent(
            old ->
                sessions
                    .live(info.id())
                    .ifPresent(
                        session -> {
                          throw new LiveElsewhere(old, session, sessions.timeout());
                        }));
  }

  private static boolean sameEndpoint(InstanceInfo a, InstanceInfo b) {
    return a.host().equals(b.host()) && a.port() == b.port() && a.adminPort() == b.adminPort();
  }

  /**
   * The 409 for a registration of a live id: Pinot's error body plus {@code liveInstance} (host,
   * ports), the structured field a client tells this refusal from Pinot's "already registered" 409
   * by.
   */
  static final class LiveElsewhere extends RuntimeException {
    private final transient ObjectNode body;

    LiveElsewhere(InstanceInfo holder, InstanceSessions.Session session, Duration timeout) {
      super(null, null, false, false);
      String message =
          "instance "
              + holder.id()
              + " is live at "
              + holder.host()
              + ":"
              + holder.adminPort()
              + (session.openPolls() > 0
                  ? " (it is following its assignment now)"
                  : " (last request " + session.lastContact() + ")")
              + ": stop it, give this server another --instance-id, or wait until "
              + timeout.toSeconds()
              + " s pass without a request from it";
      body = HttpJson.MAPPER.createObjectNode().put("code", 409).put("error", message);
      body.putObject("liveInstance")
          .put("instanceName", holder.id())
          .put("host", holder.host())
          .put("port", holder.port())
          .put("adminPort", holder.adminPort());
    }

    ObjectNode body() {
      return body;
    }
  }

  /**
   * A server that stops says so: its session ends now instead of {@code instanceSession} after its
   * last request, so it may start again at once from another port under the same id.
   */
  private Mono<Void> endSession(HttpServerRequest request, HttpServerResponse response) {
    String id = HttpJson.path(request, "id");
    state.instance(id);
    sessions.forget(id);
    return HttpJson.status(response, "Session of " + id + " ended");
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
    boolean force = "true".equalsIgnoreCase(HttpJson.query(request, "force"));
    return state
        .mutate(
            draft -> {
              List<SegmentId> online =
                  draft.instance(id).states().entrySet().stream()
                      .filter(e -> e.getValue() == SegmentState.ONLINE)
                      .map(java.util.Map.Entry::getKey)
                      .sorted(java.util.Comparator.comparing(SegmentId::toString))
                      .toList();
              if (!online.isEmpty() && !force) {
                throw new StateConflictException(
                    null,
                    "instance "
                        + id
                        + " holds "
                        + online.size()
                        + " ONLINE replica"
                        + (online.size() == 1 ? "" : "s")
                        + " (first "
                        + online.get(0)
                        + "): stop the server first (it reports them OFFLINE), or drop it anyway"
                        + " with ?force=true");
              }
              draft.deleteInstance(id);
              return id;
            })
        .doOnNext(sessions::forget)
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
        .doOnSubscribe(s -> sessions.pollStarted(id))
        .doFinally(signal -> sessions.pollEnded(id))
        .flatMap(assignment -> HttpJson.ok(response, ControllerJson.assignment(assignment)));
  }

  private Mono<Void> report(HttpServerRequest request, HttpServerResponse response) {
    String id = HttpJson.path(request, "id");
    SegmentId segment =
        SegmentId.of(
            HttpJson.path(request, "tableNameWithType"), HttpJson.path(request, "segmentName"));
    return HttpJson.body(request)
        .doOnNext(body -> sessions.touch(id))
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
