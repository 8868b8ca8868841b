package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.JSON;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static io.segmenttransfer.controller.ControllerTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.api.TableConfigState;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pinot's schema endpoints and the table config hash: a stable hash of config and schema that a
 * schema change or a config {@code PUT} changes (with the time of the change), that survives a
 * restart, and that does not depend on the order of JSON fields.
 */
class SchemaAndConfigHashTest {

  private static final String SCHEMA =
      "{\"schemaName\":\"events\",\"dimensionFieldSpecs\":[{\"name\":\"country\",\"dataType\":\"STRING\"}]}";
  private static final String SCHEMA_REORDERED =
      "{\"dimensionFieldSpecs\":[{\"dataType\":\"STRING\",\"name\":\"country\"}],\"schemaName\":\"events\"}";
  private static final String SCHEMA_WIDER =
      "{\"schemaName\":\"events\",\"dimensionFieldSpecs\":[{\"name\":\"country\",\"dataType\":\"STRING\"},{\"name\":\"city\",\"dataType\":\"STRING\"}]}";
  private static final String TABLE =
      "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"1\"},\"tableIndexConfig\":{\"invertedIndexColumns\":[]}}";
  private static final String TABLE_INVERTED =
      "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\",\"segmentsConfig\":{\"replication\":\"1\"},\"tableIndexConfig\":{\"invertedIndexColumns\":[\"country\"]}}";

  @TempDir Path dir;

  private static TableConfigState hash(String baseUrl) {
    ControllerTestSupport.Reply reply = get(baseUrl, "/tables/events_OFFLINE/configHash");
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    return TableConfigState.parse(reply.json());
  }

  @Test
  void schemaAndConfigChangesChangeTheHashAndSurviveARestart() {
    EmbeddedController first = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    String base = first.baseUrl();
    assertThat(send(base, HttpMethod.POST, "/schemas", SCHEMA).status()).isEqualTo(200);
    assertThat(send(base, HttpMethod.POST, "/tables", TABLE).status()).isEqualTo(200);
    TableConfigState created = hash(base);
    assertThat(created.hash()).hasSize(64);
    assertThat(created.changedTimeMs()).isZero();
    assertThat(created.schemaName()).isEqualTo("events");
    assertThat(get(base, "/schemas/events").json().get("dimensionFieldSpecs")).hasSize(1);
    assertThat(get(base, "/schemas").json().toString()).isEqualTo("[\"events\"]");

    // The same schema with its fields in another order is the same schema.
    assertThat(send(base, HttpMethod.PUT, "/schemas/events", SCHEMA_REORDERED).status())
        .isEqualTo(200);
    assertThat(hash(base)).isEqualTo(created);

    assertThat(send(base, HttpMethod.PUT, "/schemas/events", SCHEMA_WIDER).status()).isEqualTo(200);
    TableConfigState widened = hash(base);
    assertThat(widened.hash()).isNotEqualTo(created.hash());
    assertThat(widened.changedTimeMs()).isPositive();

    assertThat(send(base, HttpMethod.PUT, "/tables/events", TABLE_INVERTED).status())
        .isEqualTo(200);
    TableConfigState inverted = hash(base);
    assertThat(inverted.hash()).isNotEqualTo(widened.hash());
    assertThat(inverted.changedTimeMs()).isGreaterThanOrEqualTo(widened.changedTimeMs());

    // In use: Pinot refuses to delete it.
    ControllerTestSupport.Reply refused =
        ControllerTestSupport.call(
            base, HttpMethod.DELETE, "/schemas/events", null, java.util.Map.of());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("error").asText()).contains("events_OFFLINE");
    // A name in the path that differs from the body's.
    assertThat(send(base, HttpMethod.PUT, "/schemas/other", SCHEMA).status()).isEqualTo(400);
    assertThat(
            send(base, HttpMethod.POST, "/schemas", "{\"dimensionFieldSpecs\":[]}")
                .json()
                .get("error")
                .asText())
        .contains("schemaName");

    first.halt();
    EmbeddedController second =
        EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    try {
      assertThat(hash(second.baseUrl())).isEqualTo(inverted);
      JsonNode schema = get(second.baseUrl(), "/schemas/events").json();
      assertThat(schema.get("dimensionFieldSpecs")).hasSize(2);
    } finally {
      second.close();
    }
  }

  @Test
  void theHashIsTheSameForTheSameDocumentsWhateverTheFieldOrder() throws Exception {
    TableConfig config = TableConfig.parse(JSON.readTree(TABLE_INVERTED));
    TableConfig reordered =
        TableConfig.parse(
            JSON.readTree(
                "{\"tableIndexConfig\":{\"invertedIndexColumns\":[\"country\"]},\"segmentsConfig\":{\"replication\":\"1\"},\"tableType\":\"OFFLINE\",\"tableName\":\"events_OFFLINE\"}"));
    assertThat(TableConfigHash.of(reordered, JSON.readTree(SCHEMA_REORDERED)))
        .isEqualTo(TableConfigHash.of(config, JSON.readTree(SCHEMA)));
    assertThat(TableConfigHash.of(config, null))
        .isNotEqualTo(TableConfigHash.of(config, JSON.readTree(SCHEMA)));
    // Array order is meaningful (sort orders, column lists): it changes the hash.
    assertThat(TableConfigHash.canonical(JSON.readTree("[1,2]")).toString()).isEqualTo("[1,2]");
    assertThat(TableConfigHash.schemaName(TableConfig.of(TableNameWithType.parse("x_OFFLINE"), 1)))
        .isEqualTo("x");
  }
}
