package io.segmenttransfer.peer;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The two controller endpoints peer discovery reads, with the shapes of a real Pinot controller
 * (docs/protocol.md): {@code GET /tables/{table}/externalview} and {@code GET /instances/{id}}. The
 * view is a function of how many times it was read, so a test can make it converge late.
 */
final class FakeController implements AutoCloseable {

  private final AtomicInteger viewReads = new AtomicInteger();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final Map<String, String> instances = new ConcurrentHashMap<>();
  private volatile IntFunction<String> view = read -> null;
  private volatile int viewStatus = 200;
  private final DisposableServer server;

  FakeController() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes
                        .get(
                            "/tables/{table}/externalview",
                            (request, response) -> {
                              requests.add(request.uri());
                              int read = viewReads.incrementAndGet();
                              String json = view.apply(read);
                              if (viewStatus != 200) {
                                return response
                                    .status(viewStatus)
                                    .sendString(Mono.just("{\"error\":\"scripted\"}"));
                              }
                              if (json == null) {
                                return response
                                    .status(HttpResponseStatus.NOT_FOUND)
                                    .sendString(Mono.just("{\"code\":404}"));
                              }
                              return response
                                  .header("Content-Type", "application/json")
                                  .sendString(Mono.just(json));
                            })
                        .get(
                            "/instances/{id}",
                            (request, response) -> {
                              requests.add(request.uri());
                              String json = instances.get(request.param("id"));
                              if (json == null) {
                                return response
                                    .status(HttpResponseStatus.NOT_FOUND)
                                    .sendString(Mono.just("{\"code\":404}"));
                              }
                              return response
                                  .header("Content-Type", "application/json")
                                  .sendString(Mono.just(json));
                            }))
            .bindNow(Duration.ofSeconds(10));
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** Registers a server the way Pinot's {@code GET /instances/{id}} describes it. */
  void instance(String id, String host, int adminPort) {
    instances.put(
        id,
        "{\"instanceName\":\""
            + id
            + "\",\"hostName\":\""
            + host
            + "\",\"enabled\":true,"
            + "\"port\":\""
            + id.substring(id.lastIndexOf('_') + 1)
            + "\",\"tags\":[\"DefaultTenant_OFFLINE\"],"
            + "\"pools\":null,\"grpcPort\":-1,\"adminPort\":"
            + adminPort
            + ",\"queryServicePort\":-1}");
  }

  /** Serves {@code json} as the record of instance {@code id}, whatever its shape. */
  void instanceRecord(String id, String json) {
    instances.put(id, json);
  }

  void view(IntFunction<String> byRead) {
    this.view = byRead;
  }

  void viewStatus(int status) {
    this.viewStatus = status;
  }

  /** {@code {"OFFLINE": {segment: {instance: state, ...}}, "REALTIME": null}}. */
  static String offlineView(String segment, Map<String, String> states) {
    StringBuilder replicas = new StringBuilder();
    states.forEach(
        (instance, state) ->
            replicas
                .append(replicas.length() == 0 ? "" : ",")
                .append('"')
                .append(instance)
                .append("\":\"")
                .append(state)
                .append('"'));
    return "{\"OFFLINE\":{\"" + segment + "\":{" + replicas + "}},\"REALTIME\":null}";
  }

  int viewReads() {
    return viewReads.get();
  }

  List<String> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }
}
