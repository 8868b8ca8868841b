package io.segmenttransfer.core.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Segment metadata as JSON, in the shape Pinot's controller serves it ({@code GET
 * /segments/{table}/{segment}/metadata}): a flat object of string values with the {@code segment.*}
 * keys, plus {@code custom.map} (an object, or a JSON string as ZooKeeper stores it). Files given
 * to the command line add {@code tableNameWithType} and {@code segmentName}.
 */
public final class SegmentMetadataJson {

  public static final String TABLE_NAME_WITH_TYPE = "tableNameWithType";
  public static final String SEGMENT_NAME = "segmentName";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private SegmentMetadataJson() {}

  /** Parses a metadata document; the segment comes from its own keys. */
  public static SegmentMetadata parse(String json) {
    JsonNode root = readTree(json);
    String table = text(root, TABLE_NAME_WITH_TYPE);
    String segment = text(root, SEGMENT_NAME);
    if (table == null || segment == null) {
      throw new InvalidRequestException(
          segment,
          "segment metadata needs '" + TABLE_NAME_WITH_TYPE + "' and '" + SEGMENT_NAME + "'");
    }
    return parse(json, SegmentId.of(table, segment));
  }

  /**
   * Parses a metadata document for a known segment (the controller's response has no segment keys).
   */
  public static SegmentMetadata parse(String json, SegmentId segment) {
    JsonNode root = readTree(json);
    Map<String, String> fields = new LinkedHashMap<>();
    Map<String, String> custom = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (key.equals(TABLE_NAME_WITH_TYPE) || key.equals(SEGMENT_NAME) || value.isNull()) {
        continue;
      }
      if (key.equals(SegmentMetadata.CUSTOM_MAP)) {
        JsonNode map = value.isTextual() ? readTree(value.asText()) : value;
        map.fields().forEachRemaining(e -> custom.put(e.getKey(), e.getValue().asText()));
      } else if (value.isValueNode()) {
        fields.put(key, value.asText());
      } else {
        throw new InvalidRequestException(
            segment.segmentName(),
            "metadata key '" + key + "' must be a string, not " + value.getNodeType());
      }
    }
    return new SegmentMetadata(segment, fields, custom);
  }

  /** The controller's shape: flat string values, {@code custom.map} as an object. */
  public static ObjectNode toJson(SegmentMetadata metadata, boolean withSegmentKeys) {
    ObjectNode node = MAPPER.createObjectNode();
    if (withSegmentKeys) {
      node.put(TABLE_NAME_WITH_TYPE, metadata.table().toString());
      node.put(SEGMENT_NAME, metadata.segmentName());
    }
    metadata.fields().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> node.put(e.getKey(), e.getValue()));
    if (!metadata.customMap().isEmpty()) {
      ObjectNode custom = node.putObject(SegmentMetadata.CUSTOM_MAP);
      metadata.customMap().forEach(custom::put);
    }
    return node;
  }

  private static JsonNode readTree(String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      if (root == null || !root.isObject()) {
        throw new InvalidRequestException(null, "segment metadata must be a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          null, "malformed segment metadata JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static String text(JsonNode root, String key) {
    JsonNode value = root.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }
}
