package io.segmenttransfer.core.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.List;

/**
 * Reads an instance record, {@code GET /instances/{id}}, as Pinot's controller and the embedded one
 * serve it (protocol.md, Instances):
 *
 * <pre>
 * {"instanceName": "Server_127.0.0.1_19098", "hostName": "127.0.0.1", "enabled": true,
 *  "port": "19098", "tags": ["DefaultTenant_OFFLINE"], "grpcPort": -1, "adminPort": 19097, ...}
 * </pre>
 *
 * The one reader of these records, for the controller client and the peer finder alike. Ids are not
 * always {@code <Type>_<host>_<port>} (Pinot's {@code instanceId} setting, our {@code
 * --instance-id}), so nothing is derived from the id that the record states itself:
 *
 * <ul>
 *   <li>host: {@code hostName}; the id's {@code <Type>_<host>_<port>} form only when the record has
 *       none. A legacy {@code Server_} prefix in {@code hostName} is dropped, as Pinot's own {@code
 *       ServerInstance} does (host names cannot hold {@code _}, so it is never part of one);
 *   <li>port: {@code port}, a string in Pinot's records, a number accepted too; else the id's port;
 *       else 0 (unknown: nothing here connects to it);
 *   <li>admin port: {@code adminPort}; a record without a usable one gets the caller's default
 *       (Pinot's 8097), since Pinot servers of old versions do not write it;
 *   <li>HTTPS admin port: {@code adminHttpsPort} (Pinot's key), none when absent;
 *   <li>type: the id's prefix when it has one, else the tags (tenant tags {@code _OFFLINE} and
 *       {@code _REALTIME} are servers', {@code _BROKER} brokers'), else a server;
 *   <li>enabled: {@code enabled}, true when absent.
 * </ul>
 *
 * Unknown keys are ignored (Pinot adds keys between versions).
 */
public final class InstanceInfoJson {

  private static final List<String> TYPES =
      List.of(InstanceInfo.SERVER, "BROKER", "MINION", "CONTROLLER");

  private InstanceInfoJson() {}

  /** A record; an instance without an admin port gets Pinot's default, 8097. */
  public static InstanceInfo read(JsonNode record) {
    return read(record, InstanceInfo.DEFAULT_ADMIN_PORT);
  }

  /**
   * A record, with {@code defaultAdminPort} for an instance that has no usable admin port.
   *
   * @throws InvalidRequestException when the record is not an object, has no {@code instanceName},
   *     or names no host
   */
  public static InstanceInfo read(JsonNode record, int defaultAdminPort) {
    if (record == null || !record.isObject()) {
      throw new InvalidRequestException(null, "instance record must be a JSON object");
    }
    String id = text(record, "instanceName");
    if (id == null) {
      throw new InvalidRequestException(null, "instance record without instanceName");
    }
    ConventionalId conventional = ConventionalId.parse(id);
    String host = text(record, "hostName");
    if (host != null) {
      host = withoutTypePrefix(host);
    } else if (conventional != null) {
      host = conventional.host();
    } else {
      throw new InvalidRequestException(
          null, "instance " + id + " has no hostName, and its id names no host");
    }
    int port = port(record.get("port"));
    if (port < 0) {
      port = conventional != null ? conventional.port() : 0;
    }
    int adminPort = port(record.get("adminPort"));
    if (adminPort <= 0) {
      adminPort = defaultAdminPort;
    }
    int adminHttpsPort = port(record.get("adminHttpsPort"));
    String type = conventional != null ? conventional.type() : typeFromTags(record.get("tags"));
    boolean enabled = record.path("enabled").asBoolean(true);
    // A Pinot id derived from the host (an IPv6 address has ':') is valid as derived; only an
    // explicit, custom id is held to the characters that may name a file or a path segment.
    String explicitId = id.equals(InstanceInfo.idOf(type, host, port)) ? null : id;
    return new InstanceInfo(explicitId, host, port, adminPort, type, enabled, adminHttpsPort);
  }

  /** A port from a number or a numeric string; -1 when absent or not a port. */
  private static int port(JsonNode value) {
    if (value == null || value.isNull()) {
      return -1;
    }
    int port;
    if (value.isIntegralNumber()) {
      port = value.canConvertToInt() ? value.intValue() : -1;
    } else if (value.isTextual()) {
      try {
        port = Integer.parseInt(value.asText().trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    } else {
      return -1;
    }
    return port >= 0 && port <= 65535 ? port : -1;
  }

  private static String typeFromTags(JsonNode tags) {
    if (tags != null && tags.isArray()) {
      for (JsonNode tag : tags) {
        String text = tag.asText("");
        if (text.endsWith("_OFFLINE") || text.endsWith("_REALTIME")) {
          return InstanceInfo.SERVER;
        }
        if (text.endsWith("_BROKER")) {
          return "BROKER";
        }
      }
    }
    return InstanceInfo.SERVER;
  }

  private static String withoutTypePrefix(String host) {
    for (String type : TYPES) {
      String prefix = InstanceInfo.prefixOf(type) + "_";
      if (host.startsWith(prefix) && host.length() > prefix.length()) {
        return host.substring(prefix.length());
      }
    }
    return host;
  }

  private static String text(JsonNode record, String field) {
    JsonNode value = record.get(field);
    if (value == null || !value.isValueNode() || value.isNull()) {
      return null;
    }
    String text = value.asText().trim();
    return text.isEmpty() ? null : text;
  }

  /** The parts of an id of Pinot's form {@code <Type>_<host>_<port>}. */
  private record ConventionalId(String type, String host, int port) {
    static ConventionalId parse(String id) {
      int first = id.indexOf('_');
      int last = id.lastIndexOf('_');
      if (first < 0 || last <= first + 1) {
        return null;
      }
      String prefix = id.substring(0, first);
      String type =
          TYPES.stream()
              .filter(t -> InstanceInfo.prefixOf(t).equals(prefix))
              .findFirst()
              .orElse(null);
      if (type == null) {
        return null;
      }
      int port;
      try {
        port = Integer.parseInt(id.substring(last + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      return port >= 0 && port <= 65535
          ? new ConventionalId(type, id.substring(first + 1, last), port)
          : null;
    }
  }
}
