package io.segmenttransfer.server.daemon;

import io.segmenttransfer.http.auth.AccessControl;
import io.segmenttransfer.http.auth.ServerRoutePermissions;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/** Puts the daemon's admin and peer port behind its auth file, when it has one. */
final class ServerAccess {

  private ServerAccess() {}

  /**
   * The access control of {@code config}'s auth file, or null without one. Reads the file (blocking
   * I/O); throws {@code InvalidRequestException} naming it when it is bad.
   */
  static @Nullable AccessControl load(ServerConfig config) {
    // Password checks are CPU work: the shared bounded-elastic pool keeps them off the event loops.
    return config.authFile() == null
        ? null
        : AccessControl.load(
            config.authFile(), ServerRoutePermissions.TABLE, Schedulers.boundedElastic());
  }

  /** {@code handler} as it is without access control, behind it with one. */
  static BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> guard(
      @Nullable AccessControl access,
      BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> handler) {
    return access == null ? handler : access.guard(handler);
  }

  /**
   * Throws IllegalStateException when the daemon registered a route its permission table does not
   * list (the routes are built after the port is bound, so this is checked then).
   */
  static void requireListed(@Nullable AccessControl access, HttpServerRoutes routes) {
    if (access != null) {
      access.requireListed(routes);
    }
  }
}
