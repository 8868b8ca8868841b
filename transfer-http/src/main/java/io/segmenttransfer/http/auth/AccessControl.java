package io.segmenttransfer.http.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.http.ErrorBody;
import io.segmenttransfer.http.JsonReply;
import io.segmenttransfer.http.KeepAliveSafe;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * Authentication and authorisation in front of a surface's router: every request is authenticated
 * ({@link Authenticator}) and checked against the permission its route needs ({@link
 * RoutePermissions}) before the router sees it.
 *
 * <p>The answer depends only on the method, the route template and the credentials, never on what
 * the route would find: 401 (no, malformed or wrong credentials; with {@code WWW-Authenticate}
 * challenges for Basic and Bearer) and 403 (a principal without the permission) have the same body
 * for a table or segment that exists and one that does not. Open routes are answered without a look
 * at the credentials.
 */
public final class AccessControl {

  /** The realm of the challenges. */
  public static final String REALM = "segment-transfer";

  static final String UNAUTHENTICATED =
      "authentication required: send HTTP Basic or Bearer credentials of a principal in the auth file";

  /** What to do with one request. */
  public sealed interface Decision {
    /** Go on to the route; {@code principal} is null on an open route. */
    record Allow(@Nullable Principal principal) implements Decision {}

    /** 401: no, malformed or wrong credentials. */
    record Unauthenticated() implements Decision {}

    /** 403: a known principal without the permission. */
    record Forbidden(Principal principal, Permission needed) implements Decision {}

    /** 503: too many password checks in progress. */
    record Busy() implements Decision {}
  }

  private final Authenticator authenticator;
  private final RoutePermissions routes;

  public AccessControl(Authenticator authenticator, RoutePermissions routes) {
    this.authenticator = authenticator;
    this.routes = routes;
  }

  /**
   * Loads {@code authFile} for a surface with {@code routes}; password checks run on {@code
   * checks}. Throws {@code InvalidRequestException} naming the file for a bad one.
   */
  public static AccessControl load(Path authFile, RoutePermissions routes, Scheduler checks) {
    return new AccessControl(new Authenticator(AuthFile.load(authFile), checks), routes);
  }

  public RoutePermissions routes() {
    return routes;
  }

  /**
   * Decides on a request by its method, raw URI and {@code Authorization} header. Completes with
   * one decision, at once unless a password has to be checked.
   */
  public Mono<Decision> decide(HttpMethod method, String uri, @Nullable String authorization) {
    Permission needed = routes.required(method, uri);
    if (needed == null) {
      return Mono.just(new Decision.Allow(null));
    }
    return authenticator
        .authenticate(authorization)
        .<Decision>map(
            principal ->
                principal.has(needed)
                    ? new Decision.Allow(principal)
                    : new Decision.Forbidden(principal, needed))
        .defaultIfEmpty(new Decision.Unauthenticated())
        .onErrorResume(
            Authenticator.TooManyChecksException.class, e -> Mono.just(new Decision.Busy()));
  }

  /**
   * {@code router} behind this access control. Fails (IllegalStateException, naming them) when
   * {@code router} has routes the permission table does not list, so a surface never starts with a
   * route nobody decided on. The handler is subscribed off the dispatching thread ({@link
   * KeepAliveSafe}), as a refusal is answered without waiting on anything.
   */
  public BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> guard(
      HttpServerRoutes router) {
    requireListed(router);
    return guard((BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>>) router);
  }

  /**
   * {@code handler} behind this access control, for a handler whose routes are checked with {@link
   * #requireListed} once they exist.
   */
  public BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> guard(
      BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> handler) {
    return KeepAliveSafe.offDispatch(
        (request, response) ->
            decide(
                    request.method(),
                    request.uri(),
                    request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))
                .flatMap(
                    decision ->
                        decision instanceof Decision.Allow
                            ? Mono.from(handler.apply(request, response))
                            : refuse(response, decision)));
  }

  /** Throws IllegalStateException when {@code router} has a route the table does not list. */
  public void requireListed(HttpServerRoutes router) {
    Set<String> unlisted = routes.unlisted(router);
    if (!unlisted.isEmpty()) {
      throw new IllegalStateException(
          "routes without a permission rule: "
              + unlisted
              + "; list them in the surface's RoutePermissions (io.segmenttransfer.http.auth)");
    }
  }

  private static Mono<Void> refuse(HttpServerResponse response, Decision decision) {
    // The request's body (an upload, say) is left unread: reactor-netty drops what remains of it
    // after the answer. Closing the connection instead would race the client still sending it,
    // and a reset would lose the answer at the client.
    if (decision instanceof Decision.Forbidden forbidden) {
      return reply(
          response,
          403,
          "principal '"
              + forbidden.principal().name()
              + "' lacks the '"
              + forbidden.needed().fileName()
              + "' permission this request needs");
    }
    if (decision instanceof Decision.Busy) {
      response.header(HttpHeaderNames.RETRY_AFTER, "1");
      return reply(response, 503, "too many password checks in progress; retry shortly");
    }
    response
        .responseHeaders()
        .add(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"")
        .add(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\"");
    return reply(response, 401, UNAUTHENTICATED);
  }

  private static Mono<Void> reply(HttpServerResponse response, int status, String message) {
    return new JsonReply(status, new ErrorBody(status, message)).send(response);
  }
}
