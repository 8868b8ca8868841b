package io.segmenttransfer.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.cluster.InstanceInfoJson;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import java.util.Map;

/** The JSON shapes of docs/protocol.md that both the routes and the client speak. */
public final class ControllerJson {

  /** The one JSON mapper for the controller's wire shapes (thread-safe once configured). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  public static final String TABLE_NAME_WITH_TYPE = "tableNameWithType";
  public static final String SEGMENT_NAME = "segmentName";

  private ControllerJson() {}

  /**
   * {@code GET /instances/{id}}: Pinot's shape, {@code port} a string and {@code adminPort} a
   * number.
   */
  public static ObjectNode instance(InstanceInfo info) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("instanceName", info.id());
    node.put("hostName", info.host());
    node.put("enabled", info.enabled());
    node.put("port", Integer.toString(info.port()));
    ArrayNode tags = node.putArray("tags");
    if (info.isServer()) {
      tags.add("DefaultTenant_OFFLINE").add("DefaultTenant_REALTIME");
    }
    node.putNull("pools");
    node.put("grpcPort", -1);
    node.put("adminPort", info.adminPort());
    if (info.servesHttps()) {
      node.put("adminHttpsPort", info.adminHttpsPort());
    }
    node.put("queryServicePort", -1);
    node.put("queryMailboxPort", -1);
    node.putNull("systemResourceInfo");
    return node;
  }

  /**
   * Reads {@code GET /instances/{id}} (ours or Pinot's, any id) with the one record reader, {@link
   * InstanceInfoJson}.
   */
  public static InstanceInfo readInstance(JsonNode node) {
    return InstanceInfoJson.read(node);
  }

  /**
   * Reads a {@code POST /instances} body: {@code host}, {@code port}, {@code type}, {@code
   * adminPort}, and {@code adminHttpsPort} when the admin port serves HTTPS.
   */
  public static InstanceInfo readRegistration(JsonNode body) {
    if (!body.isObject()) {
      throw new InvalidRequestException(null, "instance must be a JSON object");
    }
    String host = body.path("host").asText(null);
    int port = intField(body, "port", -1);
    if (port < 0) {
      throw new InvalidRequestException(null, "instance field 'port' is missing or not a number");
    }
    int adminPort = intField(body, "adminPort", InstanceInfo.DEFAULT_ADMIN_PORT);
    int adminHttpsPort = intField(body, "adminHttpsPort", -1);
    String type = body.path("type").asText(InstanceInfo.SERVER);
    boolean enabled = body.path("enabled").asBoolean(true);
    // This project's extension: a server started with an explicit id sends it; Pinot derives it.
    String id = body.hasNonNull("instanceName") ? body.get("instanceName").asText() : null;
    return new InstanceInfo(id, host, port, adminPort, type, enabled, adminHttpsPort);
  }

  private static int intField(JsonNode node, String field, int otherwise) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (value.isIntegralNumber()) {
      return value.intValue();
    }
    try {
      return Integer.parseInt(value.asText().trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          null, "instance field '" + field + "' is not a number: " + value);
    }
  }

  /** {@code {"OFFLINE": map-or-null, "REALTIME": map-or-null}}. */
  public static ObjectNode view(
      Map<String, Map<String, String>> offline, Map<String, Map<String, String>> realtime) {
    ObjectNode node = MAPPER.createObjectNode();
    putView(node, TableType.OFFLINE.name(), offline);
    putView(node, TableType.REALTIME.name(), realtime);
    return node;
  }

  private static void putView(ObjectNode node, String type, Map<String, Map<String, String>> view) {
    if (view == null) {
      node.putNull(type);
      return;
    }
    ObjectNode segments = node.putObject(type);
    view.forEach(
        (segment, instances) -> {
          ObjectNode states = segments.putObject(segment);
          instances.forEach(states::put);
        });
  }

  /** {@code {"version": V, "segments": [{"tableNameWithType", "segmentName", "metadata"}]}}. */
  public static ObjectNode assignment(Assignment assignment) {
    ObjectNode node = MAPPER.createObjectNode();
    node.put("version", assignment.version());
    ArrayNode segments = node.putArray("segments");
    for (SegmentMetadata metadata : assignment.segments()) {
      ObjectNode entry = segments.addObject();
      entry.put(TABLE_NAME_WITH_TYPE, metadata.table().toString());
      entry.put(SEGMENT_NAME, metadata.segmentName());
      entry.set("metadata", SegmentMetadataJson.toJson(metadata, false));
    }
    return node;
  }
}
