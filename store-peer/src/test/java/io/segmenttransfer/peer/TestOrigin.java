package io.segmenttransfer.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A plain HTTP object server on loopback (port 0) standing in for an HTTP deep store, a controller
 * download URL or a misbehaving peer: objects by path with ETag, HEAD, {@code Range: bytes=N-},
 * {@code If-Match}, and scripted faults (statuses with headers, bodies cut after N bytes).
 */
final class TestOrigin implements AutoCloseable {

  /** One request as received. */
  record Seen(String method, String path, String range, String ifMatch) {}

  /** A scripted answer that replaces the next normal one. */
  record Fault(int status, Map<String, String> headers, long cutAfter) {
    static Fault status(int status) {
      return new Fault(status, Map.of(), -1);
    }

    static Fault status(int status, String header, String value) {
      return new Fault(status, Map.of(header, value), -1);
    }

    /** A 200/206 whose body stops (connection closed) after {@code bytes}. */
    static Fault cutAfter(long bytes) {
      return new Fault(0, Map.of(), bytes);
    }
  }

  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
  private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
  private final Map<String, Fault> alwaysFault = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile boolean sendETag = true;
  private final DisposableServer server;

  TestOrigin() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(this::handle)
            .bindNow(Duration.ofSeconds(10));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  int port() {
    return server.port();
  }

  void put(String path, byte[] bytes) {
    objects.put(path, bytes);
  }

  /** Answers the next requests for {@code path} with these faults, in order. */
  void fail(String path, Fault... next) {
    faults.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(next));
  }

  void failAlways(String path, Fault fault) {
    alwaysFault.put(path, fault);
  }

  void withoutETags() {
    sendETag = false;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  List<Seen> seen(String method) {
    return seen.stream().filter(s -> s.method().equals(method)).toList();
  }

  static String etag(byte[] bytes) {
    return DirectorySnapshot.sha256(bytes).substring(0, 16);
  }

  private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    String path = request.fullPath();
    String range = request.requestHeaders().get(HttpHeaderNames.RANGE);
    String ifMatch = request.requestHeaders().get(HttpHeaderNames.IF_MATCH);
    seen.add(new Seen(request.method().name(), path, range, ifMatch));
    Fault fault = alwaysFault.get(path);
    if (fault == null) {
      Deque<Fault> queue = faults.get(path);
      synchronized (this) {
        fault = queue == null ? null : queue.poll();
      }
    }
    if (fault != null && fault.status() > 0) {
      response.status(fault.status());
      fault.headers().forEach(response::header);
      return response.sendString(Mono.just("scripted " + fault.status()));
    }
    byte[] bytes = objects.get(path);
    if (bytes == null) {
      return response.status(HttpResponseStatus.NOT_FOUND).sendString(Mono.just("no " + path));
    }
    String etag = etag(bytes);
    if (sendETag) {
      response.header(HttpHeaderNames.ETAG, "\"" + etag + "\"");
    }
    if (ifMatch != null && !ifMatch.equals("\"" + etag + "\"")) {
      return response.status(HttpResponseStatus.PRECONDITION_FAILED).send();
    }
    long start = 0;
    if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      start = Long.parseLong(range.substring(6, range.length() - 1));
      if (start >= bytes.length) {
        return response
            .status(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            .header(HttpHeaderNames.CONTENT_RANGE, "bytes */" + bytes.length)
            .header(HttpHeaderNames.CONTENT_LENGTH, "0")
            .send();
      }
      response
          .status(HttpResponseStatus.PARTIAL_CONTENT)
          .header(
              HttpHeaderNames.CONTENT_RANGE,
              "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    response.header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(bytes.length - start));
    if (request.method().equals(HttpMethod.HEAD)) {
      return response.send();
    }
    long end =
        fault != null && fault.cutAfter() >= 0
            ? Math.min(bytes.length, start + fault.cutAfter())
            : bytes.length;
    Flux<ByteBuf> body = chunks(bytes, (int) start, (int) end);
    if (end < bytes.length) {
      body =
          body.concatWith(
              Flux.error(new IOException("scripted cut after " + (end - start) + " bytes")));
    }
    return response.send(body);
  }

  private static Flux<ByteBuf> chunks(byte[] bytes, int from, int to) {
    int size = 32 * 1024;
    return Flux.range(0, (to - from + size - 1) / size)
        .map(
            i ->
                Unpooled.wrappedBuffer(
                    bytes, from + i * size, Math.min(size, to - from - i * size)));
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }
}
