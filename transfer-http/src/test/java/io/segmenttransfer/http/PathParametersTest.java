package io.segmenttransfer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.testing.HostileNames;
import io.segmenttransfer.core.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

class PathParametersTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private DisposableServer server;

  @BeforeEach
  void start() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes.get(
                        "/segments/{table}/{segment}",
                        (request, response) -> {
                          String answer;
                          try {
                            answer =
                                PathParameters.decoded(request, "table")
                                    + "|"
                                    + PathParameters.decoded(request, "segment");
                          } catch (InvalidRequestException e) {
                            return JsonReply.error(e).send(response);
                          }
                          return response.sendString(Mono.just(answer));
                        }))
            .bindNow();
  }

  @AfterEach
  void stop() {
    server.disposeNow();
  }

  @Test
  void decodesWhatReactorNettyHandsOutEncoded() {
    // A space, a plus sent as such, a plus sent escaped, and a literal "%2B" (sent as %252B).
    assertThat(get("/segments/events%5FOFFLINE/a%20b+c%2Bd%252Be"))
        .isEqualTo("200 events_OFFLINE|a b+c+d%2Be");
    assertThat(get("/segments/t/caf%C3%A9")).isEqualTo("200 t|café");
    assertThat(get("/segments/t/plain")).isEqualTo("200 t|plain");
  }

  @Test
  void refusesEscapesThatAreNotUtf8() {
    assertThat(get("/segments/t/%FF")).startsWith("400 ").contains("not UTF-8");
  }

  @Test
  void refusesEveryTraversalFormBeforeTheRouteSeesIt() {
    for (String hostile : HostileNames.IN_URL) {
      for (String path : new String[] {"/segments/t/" + hostile, "/segments/" + hostile + "/s"}) {
        RawHttp.Response reply =
            RawHttp.exchange(
                server.port(),
                ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1),
                TIMEOUT);
        // 404 where the router does not match (a raw ".." is two segments), otherwise 400; never
        // the handler's 200.
        assertThat(reply.status()).as(path + ": " + reply.text()).isIn(400, 404);
      }
    }
  }

  @Test
  void refusesMalformedEscapes() {
    assertThat(PathParameters.decode("p", "%41%42")).isEqualTo("AB");
    assertThatThrownBy(() -> PathParameters.decode("p", "a%4"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("malformed escape");
    assertThatThrownBy(() -> PathParameters.decode("p", "a%"))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> PathParameters.decode("p", "%g1"))
        .isInstanceOf(InvalidRequestException.class);
  }

  private String get(String path) {
    return HttpClient.create()
        .get()
        .uri("http://127.0.0.1:" + server.port() + path)
        .responseSingle(
            (response, body) ->
                body.asString()
                    .defaultIfEmpty("")
                    .map(text -> response.status().code() + " " + text))
        .block(TIMEOUT);
  }
}
