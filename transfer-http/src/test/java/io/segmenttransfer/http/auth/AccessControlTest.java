package io.segmenttransfer.http.auth;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;

class AccessControlTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  static final RoutePermissions TABLE =
      RoutePermissions.builder()
          .open(GET, "/health")
          .require(Permission.READ, GET, "/things/{name}")
          .require(Permission.READ, GET, "/things/{name}/parts")
          .require(Permission.ADMIN, DELETE, "/things/{name}")
          .require(Permission.SERVER, POST, "/things/{name}/report")
          .build();

  final AccessControl access =
      new AccessControl(
          new Authenticator(AuthenticatorTest.FILE, Schedulers.boundedElastic()), TABLE);

  DisposableServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.disposeNow(WAIT);
    }
  }

  /** The answer, then the body: {@code "200 thing a"}. */
  record Answer(int status, String body, List<String> challenges) {}

  @Test
  void refusesBeforeTheRouteAndAnswersTheSameWhateverExists() {
    start(
        routes ->
            routes
                .get("/health", (q, r) -> r.sendString(Mono.just("up")))
                .get(
                    "/things/{name}",
                    (q, r) ->
                        q.param("name").equals("a")
                            ? r.sendString(Mono.just("thing a"))
                            : r.status(404).sendString(Mono.just("no thing " + q.param("name"))))
                .get("/things/{name}/parts", (q, r) -> r.sendString(Mono.just("parts")))
                .delete("/things/{name}", (q, r) -> r.sendString(Mono.just("deleted")))
                .post("/things/{name}/report", (q, r) -> r.sendString(Mono.just("reported"))));

    Answer anonymousA = call(GET, "/things/a", null);
    Answer anonymousB = call(GET, "/things/b", null);
    assertThat(anonymousA.status()).isEqualTo(401);
    assertThat(anonymousA.challenges())
        .containsExactly(
            "Basic realm=\"segment-transfer\", charset=\"UTF-8\"",
            "Bearer realm=\"segment-transfer\"");
    assertThat(anonymousB).isEqualTo(anonymousA);
    assertThat(call(GET, "/things/a", "Bearer wrong")).isEqualTo(anonymousA);
    assertThat(call(GET, "/things/b", AuthenticatorTest.basic("ops", "wrong")))
        .isEqualTo(anonymousA);
    // A path no route has: 401 too, so an anonymous caller cannot map the routes either.
    assertThat(call(GET, "/nothing/here", null)).isEqualTo(anonymousA);

    String server = "Bearer " + AuthenticatorTest.TOKEN;
    Answer forbiddenA = call(DELETE, "/things/a", server);
    assertThat(forbiddenA.status()).isEqualTo(403);
    assertThat(forbiddenA.body())
        .isEqualTo(
            "{\"code\":403,\"error\":\"principal 'server-1' lacks the 'admin' permission this"
                + " request needs\"}");
    assertThat(call(DELETE, "/things/b", server)).isEqualTo(forbiddenA);

    String reader = "Bearer " + AuthenticatorTest.TOKEN + "2";
    assertThat(call(GET, "/things/a", reader)).isEqualTo(new Answer(200, "thing a", List.of()));
    assertThat(call(GET, "/things/b", reader).status()).isEqualTo(404);
    assertThat(call(GET, "/things/a/parts?x=1", reader).status()).isEqualTo(200);
    assertThat(call(POST, "/things/a/report", server).body()).isEqualTo("reported");
    assertThat(
            call(DELETE, "/things/a", AuthenticatorTest.basic("ops", AuthenticatorTest.PASSWORD))
                .body())
        .isEqualTo("deleted");
    // Open routes ignore credentials, even wrong ones.
    assertThat(call(GET, "/health", null).body()).isEqualTo("up");
    assertThat(call(GET, "/health", "Bearer wrong").body()).isEqualTo("up");
    // An unlisted path needs admin: a reader gets 403, an admin the router's 404.
    assertThat(call(GET, "/nothing/here", reader).status()).isEqualTo(403);
    assertThat(
            call(GET, "/nothing/here", AuthenticatorTest.basic("ops", AuthenticatorTest.PASSWORD))
                .status())
        .isEqualTo(404);
  }

  @Test
  void ruleFoundIsTheRouteTheRouterPicks() {
    // Each route answers with its own template: whatever reactor-netty routes a tricky URI to
    // must be what RoutePermissions finds for it (or nothing, then it needs admin).
    start(
        routes -> {
          for (RouteRule rule : TABLE.rules()) {
            routes.route(
                request -> false, (q, r) -> Mono.empty()); // a predicate route is not listed
            if (rule.method().equals(GET)) {
              routes.get(rule.template(), (q, r) -> r.sendString(Mono.just(rule.route())));
            }
          }
        });
    String root = "Bearer " + AuthenticatorTest.TOKEN + "3";
    for (String uri :
        List.of(
            "/health",
            "/health/",
            "/health?x",
            "/health?x?y",
            "/things/",
            "/things/a",
            "/things/a/",
            "/things//parts",
            "/things/a/parts",
            "/things/a/parts/",
            "/things/a%2Fb/parts",
            "/things/a/parts?p=/x/y",
            "//things/a",
            "/things/a/../a/parts",
            "/things/a;x/parts",
            "/THINGS/a")) {
      Answer answer = call(GET, uri, root);
      String ruled = TABLE.ruleFor(GET, uri).map(RouteRule::route).orElse(null);
      if (answer.status() == 200) {
        assertThat(ruled).as(uri).isEqualTo(answer.body());
      } else {
        assertThat(answer.status()).as(uri).isEqualTo(404);
        assertThat(ruled).as(uri).isNull();
      }
    }
  }

  @Test
  void aSurfaceWithAnUnlistedRouteDoesNotStart() {
    HttpServerRoutes routes =
        HttpServerRoutes.newRoutes()
            .get("/things/{name}", (q, r) -> Mono.empty())
            .put("/things/{name}", (q, r) -> Mono.empty())
            .post("/other", (q, r) -> Mono.empty());

    assertThat(TABLE.unlisted(routes)).containsExactly("PUT /things/{name}", "POST /other");
    assertThatThrownBy(() -> access.guard(routes))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "routes without a permission rule: [PUT /things/{name}, POST /other]");
    // Reading them left them in place.
    assertThat(TABLE.unlisted(routes)).hasSize(2);
  }

  private void start(java.util.function.Consumer<HttpServerRoutes> register) {
    HttpServerRoutes routes = HttpServerRoutes.newRoutes();
    register.accept(routes);
    server =
        HttpServer.create().host("127.0.0.1").port(0).handle(access.guard(routes)).bindNow(WAIT);
  }

  private Answer call(HttpMethod method, String uri, String authorization) {
    return HttpClient.create()
        .headers(
            h -> {
              if (authorization != null) {
                h.set("Authorization", authorization);
              }
            })
        .request(method)
        .uri("http://127.0.0.1:" + server.port() + uri)
        .responseSingle(
            (response, body) ->
                body.asString()
                    .defaultIfEmpty("")
                    .map(
                        text ->
                            new Answer(
                                response.status().code(),
                                text,
                                response.responseHeaders().getAll("WWW-Authenticate"))))
        .block(WAIT);
  }
}
