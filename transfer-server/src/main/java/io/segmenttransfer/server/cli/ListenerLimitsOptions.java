package io.segmenttransfer.server.cli;

import io.segmenttransfer.http.limits.ListenerLimits;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --max-connections} and {@code --request-timeout}: the two listener limits an operator
 * tunes ({@code controller} and {@code server}); the others keep their defaults, or come from the
 * server's config file ({@code limits.*}). An option not given is null, so that {@code server} can
 * tell it from the same setting in its config file.
 */
final class ListenerLimitsOptions {

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description =
          "Connections the HTTP listener holds at once; more are answered 503 and closed"
              + " (default: "
              + ListenerLimits.DEFAULT_MAX_CONNECTIONS
              + ").")
  Integer maxConnections;

  @Option(
      names = "--request-timeout",
      paramLabel = "SECONDS",
      description =
          "Seconds a request's headers may take to arrive from its first byte; a slower client is"
              + " answered 408 and closed (default: 30).")
  Integer requestTimeoutSeconds;

  /** {@code base} with the options given. */
  ListenerLimits applyTo(ListenerLimits base) {
    ListenerLimits limits = base;
    if (maxConnections != null) {
      limits = limits.withMaxConnections(maxConnections);
    }
    if (requestTimeoutSeconds != null) {
      limits = limits.withRequestTimeout(Duration.ofSeconds(requestTimeoutSeconds));
    }
    return limits;
  }

  /** The server's settings with the options given (flags win over the config file). */
  ServerSettings overrideIn(ServerSettings settings) {
    return settings
        .override("limits.maxConnections", maxConnections)
        .override(
            "limits.requestTimeout",
            requestTimeoutSeconds == null ? null : requestTimeoutSeconds + "s");
  }
}
