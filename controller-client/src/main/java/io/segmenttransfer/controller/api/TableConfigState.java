package io.segmenttransfer.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;

/**
 * {@code GET /tables/{tableName}/configHash} (this project's): a table's config hash and when it
 * last changed, which is what a server needs to answer Pinot's {@code isStale} for its copies.
 *
 * @param hash SHA-256 hex of the canonical JSON of the table config and its schema
 * @param changedTimeMs when the hash last changed after the table was created (a config {@code PUT}
 *     or a schema change), epoch ms; 0 when it never did
 * @param schemaName the schema the config uses
 */
public record TableConfigState(
    TableNameWithType table, String hash, long changedTimeMs, String schemaName) {

  public TableConfigState {
    if (table == null || hash == null || hash.isBlank()) {
      throw new InvalidRequestException(null, "table config state needs a table and a hash");
    }
  }

  public ObjectNode toJson() {
    ObjectNode node = ControllerJson.MAPPER.createObjectNode();
    node.put(ControllerJson.TABLE_NAME_WITH_TYPE, table.toString());
    node.put("hash", hash);
    node.put("changedTimeMs", changedTimeMs);
    node.put("schemaName", schemaName);
    return node;
  }

  /** Reads the answer; fails naming the missing field. */
  public static TableConfigState parse(JsonNode node) {
    JsonNode table = node.get(ControllerJson.TABLE_NAME_WITH_TYPE);
    JsonNode hash = node.get("hash");
    if (table == null || !table.isTextual() || hash == null || !hash.isTextual()) {
      throw new InvalidRequestException(
          null, "table config state needs tableNameWithType and hash, was " + node);
    }
    return new TableConfigState(
        TableNameWithType.parse(table.asText()),
        hash.asText(),
        node.path("changedTimeMs").asLong(0),
        node.path("schemaName").asText(""));
  }
}
