package io.segmenttransfer.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;

/**
 * The part of a Pinot table config this controller acts on, with the whole document kept as sent
 * (its {@code tableName} normalised to the name with type, as Pinot stores it) so that {@code GET
 * /tables/{name}} returns what was posted.
 *
 * @param table the table with its type
 * @param replication how many servers hold each segment ({@code segmentsConfig.replication})
 * @param peerSegmentDownloadScheme {@code segmentsConfig.peerSegmentDownloadScheme}, or null
 * @param crypterClassName {@code segmentsConfig.crypterClassName}, or null
 * @param json the full config document
 */
public record TableConfig(
    TableNameWithType table,
    int replication,
    String peerSegmentDownloadScheme,
    String crypterClassName,
    ObjectNode json) {

  /** Pinot's default when {@code segmentsConfig.replication} is absent. */
  public static final int DEFAULT_REPLICATION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public TableConfig {
    if (table == null) {
      throw new InvalidRequestException(null, "table config has no table");
    }
    if (replication < 1) {
      throw new InvalidRequestException(
          null,
          "table config field 'segmentsConfig.replication' must be a positive integer, was "
              + replication);
    }
    json = json == null ? MAPPER.createObjectNode() : json.deepCopy();
    json.put("tableName", table.toString());
    json.put("tableType", table.type().name());
    ObjectNode segments =
        json.has("segmentsConfig") && json.get("segmentsConfig").isObject()
            ? (ObjectNode) json.get("segmentsConfig")
            : json.putObject("segmentsConfig");
    // Pinot writes replication as a string; keep that shape whatever the poster sent.
    segments.put("replication", Integer.toString(replication));
    putOrRemove(segments, "peerSegmentDownloadScheme", peerSegmentDownloadScheme);
    putOrRemove(segments, "crypterClassName", crypterClassName);
  }

  /** A minimal config: the table and its replication. */
  public static TableConfig of(TableNameWithType table, int replication) {
    return new TableConfig(table, replication, null, null, null);
  }

  /**
   * Reads a Pinot table config. {@code tableName} may be raw ({@code events}) or with its type
   * ({@code events_OFFLINE}); {@code tableType} is required and must agree with a typed name.
   *
   * @throws InvalidRequestException naming the offending field
   */
  public static TableConfig parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new InvalidRequestException(null, "table config must be a JSON object");
    }
    String name = text(json, "tableName");
    if (name == null || name.isBlank()) {
      throw new InvalidRequestException(null, "table config field 'tableName' is missing");
    }
    String typeText = text(json, "tableType");
    if (typeText == null) {
      throw new InvalidRequestException(
          null, "table config field 'tableType' is missing: expected OFFLINE or REALTIME");
    }
    TableType type;
    try {
      type = TableType.valueOf(typeText.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          null,
          "table config field 'tableType' is '" + typeText + "': expected OFFLINE or REALTIME");
    }
    TableNameWithType table = tableName(name.trim(), type);
    JsonNode segments = json.get("segmentsConfig");
    if (segments != null && !segments.isNull() && !segments.isObject()) {
      throw new InvalidRequestException(
          null, "table config field 'segmentsConfig' must be an object");
    }
    int replication = DEFAULT_REPLICATION;
    String scheme = null;
    String crypter = null;
    if (segments != null && segments.isObject()) {
      replication = replication(segments.get("replication"));
      scheme = text(segments, "peerSegmentDownloadScheme");
      crypter = text(segments, "crypterClassName");
    }
    return new TableConfig(
        table, replication, blankToNull(scheme), blankToNull(crypter), (ObjectNode) json);
  }

  private static TableNameWithType tableName(String name, TableType type) {
    for (TableType t : TableType.values()) {
      if (name.endsWith("_" + t.name())) {
        if (t != type) {
          throw new InvalidRequestException(
              null,
              "table config field 'tableName' is '" + name + "' but field 'tableType' is " + type);
        }
        name = name.substring(0, name.length() - t.name().length() - 1);
      }
    }
    try {
      return new TableNameWithType(name, type);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(
          null, "table config field 'tableName': " + e.getMessage(), e);
    }
  }

  private static int replication(JsonNode value) {
    if (value == null || value.isNull()) {
      return DEFAULT_REPLICATION;
    }
    int replication;
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      replication = value.intValue();
    } else if (value.isTextual()) {
      try {
        replication = Integer.parseInt(value.asText().trim());
      } catch (NumberFormatException e) {
        replication = 0;
      }
    } else {
      replication = 0;
    }
    if (replication < 1) {
      throw new InvalidRequestException(
          null,
          "table config field 'segmentsConfig.replication' must be a positive integer, was "
              + value);
    }
    return replication;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void putOrRemove(ObjectNode node, String field, String value) {
    if (value == null) {
      node.remove(field);
    } else {
      node.put(field, value);
    }
  }
}
