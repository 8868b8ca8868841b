package io.segmenttransfer.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a server's {@code GET /tables/{tableNameWithType}/segments/isStale}: Pinot's shape
 * {@code {"segmentName", "isStale", "reason"}}, plus this project's {@code reloading}: true while
 * the server is changing its copy (add, replace, reload, remove running or queued), so the deep-
 * store sync leaves that segment for its next run. Pinot's clients ignore the extra field.
 *
 * @param reason why the copy is stale, or null when it is not
 */
public record StaleSegment(String segmentName, boolean isStale, String reason, boolean reloading) {

  public ObjectNode toJson() {
    ObjectNode node = ControllerJson.MAPPER.createObjectNode();
    node.put(ControllerJson.SEGMENT_NAME, segmentName);
    node.put("isStale", isStale);
    if (reason == null) {
      node.putNull("reason");
    } else {
      node.put("reason", reason);
    }
    node.put("reloading", reloading);
    return node;
  }

  public static ArrayNode toJson(List<StaleSegment> segments) {
    ArrayNode array = ControllerJson.MAPPER.createArrayNode();
    segments.forEach(s -> array.add(s.toJson()));
    return array;
  }

  /** Reads a server's answer (a JSON array); fails naming what is wrong. */
  public static List<StaleSegment> parseList(JsonNode node) {
    if (node == null || !node.isArray()) {
      throw new InvalidRequestException(null, "isStale answer must be a JSON array, was " + node);
    }
    List<StaleSegment> segments = new ArrayList<>();
    for (JsonNode entry : node) {
      JsonNode name = entry.get(ControllerJson.SEGMENT_NAME);
      if (name == null || !name.isTextual()) {
        throw new InvalidRequestException(null, "isStale entry without segmentName: " + entry);
      }
      JsonNode reason = entry.get("reason");
      segments.add(
          new StaleSegment(
              name.asText(),
              entry.path("isStale").asBoolean(false),
              reason == null || reason.isNull() ? null : reason.asText(),
              entry.path("reloading").asBoolean(false)));
    }
    return segments;
  }
}
