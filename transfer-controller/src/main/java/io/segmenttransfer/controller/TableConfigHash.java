package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.TableConfig;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The table config hash: SHA-256, in lower-case hex, of the canonical JSON of {@code {"schema":
 * <schema or null>, "tableConfig": <config>}}. Canonical means object keys sorted at every depth,
 * arrays in their order, no whitespace, values as Jackson writes them; so the same documents give
 * the same hash whatever order their fields were posted in, across restarts and machines. A segment
 * built under the current config and schema records this hash; a different one makes it stale.
 */
public final class TableConfigHash {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TableConfigHash() {}

  /** The hash of {@code config} with {@code schema} (null when the table has no schema). */
  public static String of(TableConfig config, @Nullable JsonNode schema) {
    ObjectNode both = JsonNodeFactory.instance.objectNode();
    both.set("schema", schema == null ? JsonNodeFactory.instance.nullNode() : schema);
    both.set("tableConfig", config.json());
    try {
      byte[] canonical = JSON.writeValueAsBytes(canonical(both));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
      // SHA-256 is in every JRE and a tree of nodes always serialises.
      throw new IllegalStateException("cannot hash a table config", e);
    }
  }

  /**
   * The schema name a table config uses: {@code segmentsConfig.schemaName} when set (Pinot's older
   * field), otherwise the raw table name, as Pinot resolves it.
   */
  public static String schemaName(TableConfig config) {
    JsonNode named = config.json().path("segmentsConfig").path("schemaName");
    return named.isTextual() && !named.asText().isBlank()
        ? named.asText().trim()
        : config.table().rawName();
  }

  /** A copy with every object's keys sorted. */
  static JsonNode canonical(JsonNode node) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        sorted.put(name, canonical(node.get(name)));
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      sorted.forEach(out::set);
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(element -> out.add(canonical(element)));
      return out;
    }
    return node;
  }
}
