package io.segmenttransfer.core.cluster;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SafeName;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A registered instance, as Pinot's {@code POST /instances} takes it and {@code GET
 * /instances/{id}} shows it ({@link InstanceInfoJson} reads that record). Peers reach a server's
 * segments at {@code http://<host>:<adminPort>}, or at {@code https://<host>:<adminHttpsPort>} when
 * it registered one (Pinot's {@code adminHttpsPort}; this project's servers serve HTTPS on their
 * one admin port, so they register that port as both).
 *
 * @param id {@code Server_<host>_<port>} (or {@code Broker_}, {@code Minion_}, {@code
 *     Controller_}), or a custom id; never parse the host or port out of it
 * @param host the host name others use
 * @param port the instance's main port (Pinot's netty query port for servers)
 * @param adminPort the admin (peer download) port, Pinot default 8097
 * @param type SERVER, BROKER, MINION or CONTROLLER; only servers are assigned segments
 * @param enabled disabled instances keep their record but get no new segments
 * @param adminHttpsPort the admin port's HTTPS listener, or -1 (0 too) when it serves plain HTTP
 */
public record InstanceInfo(
    String id,
    String host,
    int port,
    int adminPort,
    String type,
    boolean enabled,
    int adminHttpsPort) {

  public static final String SERVER = "SERVER";
  public static final int DEFAULT_ADMIN_PORT = 8097;

  public InstanceInfo {
    if (host == null || host.isBlank() || !SafeName.isSafe(host)) {
      throw new InvalidRequestException(
          null, "instance field 'host' is missing or invalid: '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new InvalidRequestException(null, "instance field 'port' must be 0-65535, was " + port);
    }
    if (adminPort < -1 || adminPort > 65535) {
      throw new InvalidRequestException(
          null, "instance field 'adminPort' must be 0-65535, was " + adminPort);
    }
    if (adminHttpsPort < -1 || adminHttpsPort > 65535) {
      throw new InvalidRequestException(
          null, "instance field 'adminHttpsPort' must be 0-65535, was " + adminHttpsPort);
    }
    adminHttpsPort = adminHttpsPort <= 0 ? -1 : adminHttpsPort;
    type = type == null ? SERVER : type.toUpperCase(Locale.ROOT);
    if (id == null) {
      id = idOf(type, host, port);
    } else if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,254}")) {
      // An explicit id (--instance-id) names files and URL paths: letters, digits, '_', '.', '-'
      // only.
      throw new InvalidRequestException(
          null, "instance id '" + id + "' may only hold letters, digits, '_', '.' and '-'");
    }
  }

  /** An instance without an HTTPS admin port. */
  public InstanceInfo(
      String id, String host, int port, int adminPort, String type, boolean enabled) {
    this(id, host, port, adminPort, type, enabled, -1);
  }

  /** Whether it registered an HTTPS admin port. */
  public boolean servesHttps() {
    return adminHttpsPort > 0;
  }

  /**
   * Where its admin API (peer downloads, upload and staleness requests) is reached: {@code
   * https://host:adminHttpsPort} when it registered an HTTPS port, else {@code
   * http://host:adminPort} (Pinot's 8097 when unknown). Pinot's rule, per instance: whoever calls
   * follows what the server serves, not what the caller serves.
   */
  public URI adminUri(String path, @Nullable String query) {
    int plainPort = adminPort > 0 ? adminPort : DEFAULT_ADMIN_PORT;
    try {
      return new URI(
          servesHttps() ? "https" : "http",
          null,
          host,
          servesHttps() ? adminHttpsPort : plainPort,
          path,
          query,
          null);
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(
          null, "cannot form an admin URL of " + id + ": " + e.getMessage(), e);
    }
  }

  /** A server, registered the way this project's servers register. */
  public static InstanceInfo server(String host, int port, int adminPort) {
    return new InstanceInfo(null, host, port, adminPort, SERVER, true);
  }

  /** Pinot's instance id: the type's prefix, the host and the port. */
  public static String idOf(String type, String host, int port) {
    return prefixOf(type) + "_" + host + "_" + port;
  }

  /** The first part of a Pinot id for the type: {@code Server}, {@code Broker}, ... */
  static String prefixOf(String type) {
    return switch (type.toUpperCase(Locale.ROOT)) {
      case SERVER -> "Server";
      case "BROKER" -> "Broker";
      case "MINION" -> "Minion";
      case "CONTROLLER" -> "Controller";
      default ->
          throw new InvalidRequestException(
              null,
              "instance field 'type' is '"
                  + type
                  + "': expected SERVER, BROKER, MINION or CONTROLLER");
    };
  }

  public boolean isServer() {
    return SERVER.equals(type);
  }
}
