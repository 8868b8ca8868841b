package io.segmenttransfer.controller;

import io.segmenttransfer.http.auth.AccessControl;
import io.segmenttransfer.http.auth.ControllerRoutePermissions;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/** Puts the controller's routes behind its auth file, when it has one. */
final class ControllerAccess {

  private ControllerAccess() {}

  /**
   * {@code routes} as they are without an auth file; with one, behind an {@link AccessControl} for
   * {@link ControllerRoutePermissions#TABLE}. Reads the auth file (blocking I/O: call it off the
   * event loops) and throws {@code InvalidRequestException} naming it when it is bad, and
   * IllegalStateException when a route has no permission rule.
   */
  static BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> guard(
      ControllerConfig config, HttpServerRoutes routes) {
    if (config.authFile() == null) {
      return routes;
    }
    // Password checks are CPU work: the shared bounded-elastic pool keeps them off the event loops
    // and off the controller's own I/O threads.
    return AccessControl.load(
            config.authFile(), ControllerRoutePermissions.TABLE, Schedulers.boundedElastic())
        .guard(routes);
  }
}
