package io.segmenttransfer.s3;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * An HTTP proxy on a loopback port between the S3 client and the S3 server that injects faults per
 * request: an error status (503 SlowDown, 403, 404), a connection reset after N response body
 * bytes, a body that stalls after N bytes, or an action (such as replacing the object) before the
 * request is forwarded. Requests keep their Host header, so SigV4 signatures stay valid.
 */
final class FaultProxy implements AutoCloseable {

  /**
   * What the proxy saw: the request's number (1-based), method, path and query, Range and If-Match
   * headers.
   */
  record Request(int number, String method, String uri, String range, String ifMatch) {
    /** The first byte of the Range header, or -1. */
    long rangeStart() {
      return range == null
          ? -1
          : Long.parseLong(range.substring(range.indexOf('=') + 1, range.indexOf('-')));
    }
  }

  sealed interface Fault permits Pass, Status, ResetAfter, StallAfter, Before, Throttle {}

  record Pass() implements Fault {}

  /** Answer with this status and an S3 error body instead of forwarding. */
  record Status(int code, String errorCode, String retryAfter) implements Fault {}

  /** Forward, but reset the connection (RST) after this many response body bytes. */
  record ResetAfter(long bytes) implements Fault {}

  /** Forward, but stop sending the body after this many bytes, keeping the connection open. */
  record StallAfter(long bytes) implements Fault {}

  /** Run this before forwarding the request. */
  record Before(Mono<Void> action) implements Fault {}

  /** Forward, sending the body at about this many bytes per second (a slow S3 connection). */
  record Throttle(long bytesPerSecond) implements Fault {}

  static final Fault PASS = new Pass();

  private final DisposableServer server;
  private final ConnectionProvider upstreamPool =
      ConnectionProvider.create("fault-proxy-upstream", 32);
  private final HttpClient upstream;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicLong bodyBytesSent = new AtomicLong();
  private final AtomicInteger getsInFlight = new AtomicInteger();
  private final AtomicInteger mostGetsInFlight = new AtomicInteger();
  private final List<Request> log = new ArrayList<>();
  private volatile Function<Request, Fault> rule = request -> PASS;

  FaultProxy(URI target) {
    upstream = HttpClient.create(upstreamPool).baseUrl(target.toString());
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .doOnConnection(
                connection -> {
                  openConnections.incrementAndGet();
                  connection.onDispose(openConnections::decrementAndGet);
                })
            .handle(this::handle)
            .bindNow();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** Sets the fault to inject for each request from now on. */
  void rule(Function<Request, Fault> rule) {
    this.rule = rule;
  }

  List<Request> requests() {
    synchronized (log) {
      return List.copyOf(log);
    }
  }

  List<Request> gets() {
    return requests().stream().filter(r -> r.method().equals("GET")).toList();
  }

  int openConnections() {
    return openConnections.get();
  }

  long bodyBytesSent() {
    return bodyBytesSent.get();
  }

  /** The most GETs forwarded at once so far (from the request until its response is sent). */
  int mostGetsInFlight() {
    return mostGetsInFlight.get();
  }

  private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    Request seen =
        new Request(
            requests.incrementAndGet(),
            request.method().name(),
            request.uri(),
            request.requestHeaders().get(HttpHeaderNames.RANGE),
            request.requestHeaders().get(HttpHeaderNames.IF_MATCH));
    synchronized (log) {
      log.add(seen);
    }
    Fault fault = rule.apply(seen);
    if (fault instanceof Status status) {
      response
          .status(HttpResponseStatus.valueOf(status.code()))
          .header(HttpHeaderNames.CONTENT_TYPE, "application/xml");
      if (status.retryAfter() != null) {
        response.header(HttpHeaderNames.RETRY_AFTER, status.retryAfter());
      }
      String body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
              + status.errorCode()
              + "</Code><Message>injected by the fault proxy</Message><RequestId>fault-"
              + seen.number()
              + "</RequestId></Error>";
      return request.receive().then().then(response.sendString(Mono.just(body)).then());
    }
    Mono<Void> before = fault instanceof Before b ? b.action() : Mono.empty();
    Mono<Void> forwarded = before.then(forward(request, response, fault));
    if (!seen.method().equals("GET")) {
      return forwarded;
    }
    return Mono.defer(
        () -> {
          mostGetsInFlight.accumulateAndGet(getsInFlight.incrementAndGet(), Math::max);
          return forwarded.doFinally(signal -> getsInFlight.decrementAndGet());
        });
  }

  private Mono<Void> forward(HttpServerRequest request, HttpServerResponse response, Fault fault) {
    HttpClient client =
        upstream.headers(
            headers -> {
              headers.set(request.requestHeaders());
              headers.remove(HttpHeaderNames.CONNECTION);
              headers.remove(HttpHeaderNames.KEEP_ALIVE);
            });
    HttpMethod method = request.method();
    boolean hasBody =
        !(method.equals(HttpMethod.GET)
            || method.equals(HttpMethod.HEAD)
            || method.equals(HttpMethod.DELETE));
    HttpClient.ResponseReceiver<?> sender =
        hasBody
            ? client.request(method).uri(request.uri()).send(request.receive().retain())
            : client.request(method).uri(request.uri());
    return sender
        .response(
            (upstreamResponse, body) -> {
              response.status(upstreamResponse.status());
              response.headers(upstreamResponse.responseHeaders());
              Flux<ByteBuf> out =
                  body.retain().doOnNext(b -> bodyBytesSent.addAndGet(b.readableBytes()));
              if (fault instanceof ResetAfter reset) {
                out =
                    cut(out, reset.bytes())
                        .concatWith(
                            Mono.delay(Duration.ofMillis(50))
                                .doOnNext(t -> reset(response))
                                .thenMany(Flux.<ByteBuf>never()));
              } else if (fault instanceof StallAfter stall) {
                out = cut(out, stall.bytes()).concatWith(Flux.never());
              } else if (fault instanceof Throttle throttle) {
                out = throttle(out, throttle.bytesPerSecond());
              }
              return response.send(out).then();
            })
        .then();
  }

  /** The body up to {@code limit} bytes, the rest released. */
  private static Flux<ByteBuf> cut(Flux<ByteBuf> body, long limit) {
    AtomicLong seen = new AtomicLong();
    return body.handle(
        (buffer, sink) -> {
          int readable = buffer.readableBytes();
          long before = seen.getAndAdd(readable);
          if (before + readable < limit) {
            sink.next(buffer);
            return;
          }
          sink.next(buffer.retainedSlice(buffer.readerIndex(), (int) (limit - before)));
          buffer.release();
          sink.complete();
        });
  }

  /** The body, each buffer held back for as long as its bytes take at this rate. */
  private static Flux<ByteBuf> throttle(Flux<ByteBuf> body, long bytesPerSecond) {
    return body.limitRate(1)
        .delayUntil(
            buffer ->
                Mono.delay(
                    Duration.ofNanos(buffer.readableBytes() * 1_000_000_000L / bytesPerSecond)))
        .doOnDiscard(ByteBuf.class, ByteBuf::release);
  }

  /**
   * SO_LINGER 0 makes close() send a TCP RST: the client sees "connection reset", not a clean end.
   */
  private static void reset(HttpServerResponse response) {
    response.withConnection(
        connection -> {
          connection.channel().config().setOption(ChannelOption.SO_LINGER, 0);
          connection.channel().close();
        });
  }

  @Override
  public void close() {
    server.disposeNow();
    upstreamPool.dispose();
  }
}
