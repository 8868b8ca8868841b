package io.segmenttransfer.controller.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/** The client's failures come from transfer-http's one mapping, with the controller's own words. */
class ControllerClientErrorsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final TableNameWithType EVENTS = TableNameWithType.parse("events_OFFLINE");

  private final AtomicInteger status = new AtomicInteger();
  private volatile String retryAfter;
  private volatile String body = "";
  private DisposableServer server;
  private ControllerClient client;

  @BeforeEach
  void start() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(
                (request, response) -> {
                  if (retryAfter != null) {
                    response.header("Retry-After", retryAfter);
                  }
                  return request
                      .receive()
                      .then(response.status(status.get()).sendString(Mono.just(body)).then());
                })
            .bindNow();
    client =
        new ControllerClient(
            HttpClient.create(), "http://127.0.0.1:" + server.port(), Schedulers.boundedElastic());
  }

  @AfterEach
  void stop() {
    server.disposeNow();
  }

  @Test
  void aBadRequestIsInvalidWithTheControllersMessage() {
    answer(400, "{\"code\":400,\"error\":\"table config field 'tableType' is missing\"}");

    StepVerifier.create(client.createTable(EVENTS, 1))
        .expectErrorSatisfies(
            e -> {
              assertThat(e)
                  .isInstanceOf(InvalidRequestException.class)
                  .hasMessageContaining("HTTP 400: table config field 'tableType' is missing");
              assertThat(((InvalidRequestException) e).isRetryable()).isFalse();
            })
        .verify(TIMEOUT);
  }

  @Test
  void aConflictIsInvalidToo() {
    answer(409, "{\"code\":409,\"error\":\"Table events_OFFLINE already exists\"}");

    StepVerifier.create(client.createTable(EVENTS, 1))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("Table events_OFFLINE already exists"))
        .verify(TIMEOUT);
  }

  @Test
  void notFoundKeepsTheMessage() {
    answer(404, "{\"code\":404,\"error\":\"Table events does not exist\"}");

    StepVerifier.create(client.table("events"))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceNotFoundException.class)
                    .hasMessageContaining("Table events does not exist"))
        .verify(TIMEOUT);
  }

  @Test
  void unavailableHonoursRetryAfterAsSecondsAndAsAnHttpDate() {
    answer(503, "{\"code\":503,\"error\":\"controller is shutting down\"}");
    retryAfter = "3";
    StepVerifier.create(client.instances())
        .expectErrorSatisfies(
            e -> {
              assertThat(e)
                  .isInstanceOf(SourceUnavailableException.class)
                  .hasMessageContaining("shutting down");
              assertThat(((SourceUnavailableException) e).retryAfter())
                  .contains(Duration.ofSeconds(3));
            })
        .verify(TIMEOUT);

    // Far enough ahead that no clock running this test has passed it.
    retryAfter = "Fri, 31 Dec 2100 23:59:59 GMT";
    StepVerifier.create(client.instances())
        .expectErrorSatisfies(
            e ->
                assertThat(((SourceUnavailableException) e).retryAfter())
                    .hasValueSatisfying(
                        wait -> assertThat(wait).isGreaterThan(Duration.ofDays(365))))
        .verify(TIMEOUT);
  }

  @Test
  void aBodyThatIsNotPinotsJsonIsQuoted() {
    answer(502, "<html>upstream down</html>");

    StepVerifier.create(client.instances())
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("HTTP 502: <html>upstream down</html>"))
        .verify(TIMEOUT);
  }

  @Test
  void aControllerThatIsNotListeningIsARefusedConnectionToldAsSuch() {
    int port = server.port();
    server.disposeNow();
    ControllerClient gone =
        new ControllerClient(
            HttpClient.create(), "http://127.0.0.1:" + port, Schedulers.boundedElastic());

    // Not a transient failure to retry at once: the server's start waits for it on its own.
    StepVerifier.create(gone.instances())
        .expectErrorSatisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(e)
                    .isInstanceOf(io.segmenttransfer.core.error.SourceNotFoundException.class)
                    .hasMessageContaining(
                        "connection refused: nothing is listening on 127.0.0.1:" + port))
        .verify(TIMEOUT);
  }

  private void answer(int code, String text) {
    status.set(code);
    body = text;
  }
}
