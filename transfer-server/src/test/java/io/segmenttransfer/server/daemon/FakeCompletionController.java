package io.segmenttransfer.server.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.segment.SegmentId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A small fake controller on loopback port 0 for the commit flow: records every completion request
 * (path, query, multipart parts) and answers scripted {@link CompletionResponse}s (by default
 * COMMIT, COMMIT_CONTINUE, UPLOAD_SUCCESS, COMMIT_SUCCESS); serves just enough of the rest
 * (registration, a settable assignment, state reports, table config, downloadUrl puts) for a real
 * {@link SegmentServer}.
 */
final class FakeCompletionController implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One recorded completion request. */
  record Call(String path, Map<String, List<String>> query, Map<String, byte[]> parts) {
    String param(String name) {
      List<String> values = query.get(name);
      return values == null ? null : values.get(0);
    }
  }

  /**
   * A scripted answer: a response, or an HTTP status with an error body (transport-level failure).
   */
  record Answer(CompletionResponse response, int httpStatus) {
    static Answer of(CompletionStatus status) {
      return new Answer(CompletionResponse.of(status), 200);
    }

    static Answer http(int status) {
      return new Answer(null, status);
    }
  }

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final List<JsonNode> downloadUrlPuts = new CopyOnWriteArrayList<>();
  final Map<String, String> states = new ConcurrentHashMap<>();
  private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
  private volatile ObjectNode tableConfig;
  private volatile ObjectNode assignment =
      JSON.createObjectNode().put("version", 1).set("segments", JSON.createArrayNode());
  private final DisposableServer server;

  FakeCompletionController() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes
                        .get(
                            "/segmentConsumed",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.COMMIT))
                        .get(
                            "/segmentCommitStart",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.COMMIT_CONTINUE))
                        .get(
                            "/segmentStoppedConsuming",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.PROCESSED))
                        .get(
                            "/extendBuildTime",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.PROCESSED))
                        .get(
                            "/segmentCommitEnd",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.COMMIT_SUCCESS))
                        .post(
                            "/segmentCommitEndWithMetadata",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.COMMIT_SUCCESS))
                        .post(
                            "/segmentCommit",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.COMMIT_SUCCESS))
                        .post(
                            "/segmentUpload",
                            (rq, rs) -> completion(rq, rs, CompletionStatus.UPLOAD_SUCCESS))
                        .post(
                            "/instances",
                            (rq, rs) ->
                                rq.receive()
                                    .then(
                                        json(rs, 200, JSON.createObjectNode().put("status", "ok"))))
                        .get("/instances/{id}/assignment", this::assignment)
                        .put(
                            "/instances/{id}/segments/{table}/{segment}/state",
                            (rq, rs) ->
                                rq.receive()
                                    .aggregate()
                                    .asString()
                                    .flatMap(
                                        body -> {
                                          states.put(
                                              rq.param("table") + "/" + rq.param("segment"),
                                              read(body).path("state").asText());
                                          return json(
                                              rs, 200, JSON.createObjectNode().put("status", "ok"));
                                        }))
                        .delete(
                            "/instances/{id}/segments/{table}/{segment}/state",
                            (rq, rs) -> {
                              states.remove(rq.param("table") + "/" + rq.param("segment"));
                              return json(rs, 200, JSON.createObjectNode().put("status", "ok"));
                            })
                        .put(
                            "/segments/{table}/{segment}/downloadUrl",
                            (rq, rs) ->
                                rq.receive()
                                    .aggregate()
                                    .asString()
                                    .flatMap(
                                        body -> {
                                          downloadUrlPuts.add(read(body));
                                          return json(
                                              rs, 200, JSON.createObjectNode().put("status", "ok"));
                                        }))
                        .get(
                            "/tables/{table}",
                            (rq, rs) ->
                                tableConfig == null
                                    ? json(
                                        rs,
                                        404,
                                        JSON.createObjectNode()
                                            .put("code", 404)
                                            .put("error", "no table"))
                                    : json(
                                        rs,
                                        200,
                                        JSON.createObjectNode().set("REALTIME", tableConfig))))
            .bindNow(Duration.ofSeconds(10));
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  /** Answers the next requests to {@code path} with these, in order; then the defaults again. */
  void script(String path, Answer... answers) {
    Deque<Answer> queue = scripts.computeIfAbsent(path, p -> new ArrayDeque<>());
    synchronized (queue) {
      queue.addAll(List.of(answers));
    }
  }

  void tableConfig(String rawName, String crypter) {
    ObjectNode config =
        JSON.createObjectNode()
            .put("tableName", rawName + "_REALTIME")
            .put("tableType", "REALTIME");
    ObjectNode segments = config.putObject("segmentsConfig").put("replication", "1");
    if (crypter != null) {
      segments.put("crypterClassName", crypter);
    }
    tableConfig = config;
  }

  /** Assigns the segment to every server, with the metadata a controller keeps after a commit. */
  void assign(SegmentId segment, Map<String, String> metadata) {
    ObjectNode next =
        JSON.createObjectNode().put("version", assignment.path("version").asLong() + 1);
    ArrayNode segments = next.putArray("segments");
    ObjectNode entry =
        segments
            .addObject()
            .put("tableNameWithType", segment.table().toString())
            .put("segmentName", segment.segmentName());
    ObjectNode meta = entry.putObject("metadata");
    metadata.forEach(meta::put);
    assignment = next;
  }

  List<String> paths() {
    return calls.stream().map(Call::path).toList();
  }

  private Mono<Void> assignment(HttpServerRequest request, HttpServerResponse response) {
    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
    long since = Long.parseLong(query.getOrDefault("sinceVersion", List.of("-1")).get(0));
    ObjectNode current = assignment;
    // A long poll that has nothing new waits a little, so the server does not spin.
    Duration wait =
        since == current.path("version").asLong() ? Duration.ofMillis(200) : Duration.ZERO;
    return Mono.delay(wait).then(Mono.defer(() -> json(response, 200, assignment)));
  }

  private Mono<Void> completion(
      HttpServerRequest request, HttpServerResponse response, CompletionStatus fallback) {
    String path = new QueryStringDecoder(request.uri()).path();
    Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
    String contentType = request.requestHeaders().get("Content-Type", "");
    return request
        .receive()
        .aggregate()
        .asByteArray()
        .defaultIfEmpty(new byte[0])
        .flatMap(
            body -> {
              calls.add(new Call(path, query, multipart(contentType, body)));
              Answer answer = next(path);
              if (answer == null) {
                CompletionResponse fallbackResponse = CompletionResponse.of(fallback);
                if (fallback == CompletionStatus.UPLOAD_SUCCESS) {
                  fallbackResponse =
                      fallbackResponse.withSegmentLocation(
                          baseUrl() + "/segments/uploaded/" + query.get("name").get(0));
                }
                answer = new Answer(fallbackResponse, 200);
              }
              if (answer.response() == null) {
                return json(
                    response,
                    answer.httpStatus(),
                    JSON.createObjectNode()
                        .put("code", answer.httpStatus())
                        .put("error", "scripted"));
              }
              return json(response, 200, answer.response().toJson());
            });
  }

  private Answer next(String path) {
    Deque<Answer> queue = scripts.get(path);
    if (queue == null) {
      return null;
    }
    synchronized (queue) {
      return queue.poll();
    }
  }

  /** The parts of a multipart/form-data body by name, bytes exactly as sent. */
  static Map<String, byte[]> multipart(String contentType, byte[] body) {
    Map<String, byte[]> parts = new LinkedHashMap<>();
    int at = contentType.indexOf("boundary=");
    if (!contentType.startsWith("multipart/") || at < 0) {
      return parts;
    }
    byte[] delimiter =
        ("--" + contentType.substring(at + "boundary=".length()).trim())
            .getBytes(StandardCharsets.US_ASCII);
    int start = indexOf(body, delimiter, 0);
    while (start >= 0) {
      int headersStart = start + delimiter.length;
      if (headersStart + 2 <= body.length
          && body[headersStart] == '-'
          && body[headersStart + 1] == '-') {
        break;
      }
      int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
      String headers =
          new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
      int next =
          indexOf(
              body,
              ("\r\n" + new String(delimiter, StandardCharsets.US_ASCII))
                  .getBytes(StandardCharsets.US_ASCII),
              headersEnd);
      byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
      int name = headers.indexOf("name=\"");
      parts.put(headers.substring(name + 6, headers.indexOf('"', name + 6)), content);
      start = next + 2;
    }
    return parts;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static JsonNode read(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  private static Mono<Void> json(HttpServerResponse response, int status, JsonNode body) {
    // A wrapped byte array, not sendString's pooled buffer: an answer to a server that has gone
    // away
    // in the meantime (a long poll answered after it stopped) then leaks nothing.
    return response
        .status(status)
        .header("Content-Type", "application/json")
        .sendByteArray(Mono.fromSupplier(() -> body.toString().getBytes(StandardCharsets.UTF_8)))
        .then();
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(10));
  }
}
