package io.segmenttransfer.http.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.RawHttp;
import io.segmenttransfer.core.testing.Waits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Each limit of {@link ListenerLimits} on a real listener on loopback, probed over a raw socket:
 * the status the client gets, that the server closes the connection, and that the listener still
 * serves a well-behaved client.
 */
class HttpServerLimitsTest {

  /** Every read of the probing client waits at most this: well above the timeouts under test. */
  private static final Duration READ = Duration.ofSeconds(15);

  private static final Duration SHORT = Duration.ofMillis(800);

  private DisposableServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.disposeNow();
    }
  }

  private void start(ListenerLimits limits) {
    server =
        HttpServerLimits.apply(HttpServer.create(), limits)
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes
                        .get("/ok", (request, response) -> response.sendString(Mono.just("ok")))
                        .post(
                            "/echo",
                            (request, response) ->
                                response.sendString(
                                    request
                                        .receive()
                                        .map(buf -> buf.readableBytes())
                                        .reduce(0, Integer::sum)
                                        .map(length -> "got " + length))))
            .bindNow();
  }

  @Test
  void oversizedHeadersAre431AndTheConnectionIsClosed() {
    start(ListenerLimits.defaults().withHeaderSizes(1024, 2048));
    try (RawHttp http = RawHttp.connect(server.port(), READ)) {
      http.send("GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(4096) + "\r\n\r\n");
      assertThat(http.readResponse().status()).isEqualTo(431);
      assertThat(http.closedByServer()).isTrue();
    }
    assertThat(get("/ok").status()).isEqualTo(200);
  }

  @Test
  void anOversizedRequestLineIs414AndTheConnectionIsClosed() {
    start(ListenerLimits.defaults().withHeaderSizes(1024, 2048));
    try (RawHttp http = RawHttp.connect(server.port(), READ)) {
      http.send("GET /ok?" + "q".repeat(2048) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(http.readResponse().status()).isEqualTo(414);
      assertThat(http.closedByServer()).isTrue();
    }
  }

  @Test
  void aClientTricklingItsHeadersIsAnswered408AndClosedWhileOthersAreServed() throws Exception {
    start(
        ListenerLimits.defaults()
            .withTimeouts(SHORT, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    try (RawHttp slow = RawHttp.connect(server.port(), READ)) {
      slow.send("GET /ok HTTP/1.1\r\nHost: x\r\n");
      // One header byte every 100 ms: each byte would restart an idle timer, never the deadline.
      long start = System.nanoTime();
      String header = "X-Slow: " + "z".repeat(100);
      int sent = 0;
      while (sent < header.length() && System.nanoTime() - start < READ.toNanos()) {
        slow.send(header.substring(sent, sent + 1));
        sent++;
        // A well-behaved client is served meanwhile.
        if (sent == 3) {
          assertThat(get("/ok").text()).isEqualTo("ok");
        }
        Thread.sleep(100);
        if (sent > 2 * SHORT.toMillis() / 100) {
          break;
        }
      }
      RawHttp.Response reply = slow.readResponse();
      assertThat(reply.status()).isEqualTo(408);
      assertThat(slow.closedByServer()).isTrue();
      // It did not get through its headers: the deadline, not the end of its request, ended it.
      assertThat(sent).isLessThan(header.length());
    }
    assertThat(get("/ok").text()).isEqualTo("ok");
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() {
    start(
        ListenerLimits.defaults()
            .withTimeouts(Duration.ofMinutes(1), Duration.ofMinutes(1), SHORT));
    try (RawHttp idle = RawHttp.connect(server.port(), READ)) {
      assertThat(idle.closedByServer()).isTrue();
    }
  }

  @Test
  void keepAliveRequestsEachGetTheirOwnDeadline() throws Exception {
    start(
        ListenerLimits.defaults()
            .withTimeouts(SHORT, Duration.ofMinutes(1), Duration.ofMinutes(1)));
    try (RawHttp http = RawHttp.connect(server.port(), READ)) {
      for (int i = 0; i < 3; i++) {
        http.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(http.readResponse().text()).isEqualTo("ok");
        // Longer in all than one deadline, but each request's headers come at once.
        Thread.sleep(SHORT.toMillis() / 2);
      }
    }
  }

  @Test
  void aBodyThatStallsEndsTheConnection() {
    start(
        ListenerLimits.defaults()
            .withTimeouts(Duration.ofMinutes(1), SHORT, Duration.ofMinutes(1)));
    try (RawHttp http = RawHttp.connect(server.port(), READ)) {
      http.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
      RawHttp.Response reply = http.readResponse();
      assertThat(reply.status()).isNotEqualTo(200);
      assertThat(http.closedByServer()).isTrue();
    }
    assertThat(get("/ok").text()).isEqualTo("ok");
  }

  @Test
  void connectionsBeyondTheLimitAreRefusedUntilOthersClose() {
    start(ListenerLimits.defaults().withMaxConnections(2));
    List<RawHttp> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        RawHttp http = RawHttp.connect(server.port(), READ);
        held.add(http);
        http.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(http.readResponse().status()).isEqualTo(200);
      }
      RawHttp.Response refused = get("/ok");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.text()).contains("too many connections");
      held.remove(0).close();
      // The count drops once the server saw the close.
      Waits.await("a client served once another closed").until(() -> get("/ok").status() == 200);
    } finally {
      held.forEach(RawHttp::close);
    }
  }

  @Test
  void theRoutesSeeTheLimitsOfTheirListener() {
    ListenerLimits limits = ListenerLimits.defaults().withBodies(123, 4, 567);
    server =
        HttpServerLimits.apply(HttpServer.create(), limits)
            .host("127.0.0.1")
            .port(0)
            .handle(
                (request, response) ->
                    response.sendString(
                        Mono.just(String.valueOf(ListenerLimits.of(request).maxJsonBody()))))
            .bindNow();
    assertThat(get("/any").text()).isEqualTo("123");
  }

  private RawHttp.Response get(String path) {
    return RawHttp.exchange(
        server.port(),
        ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        READ);
  }
}
