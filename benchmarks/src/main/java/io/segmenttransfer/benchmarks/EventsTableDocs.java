package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Pinot table config and schema of the {@code events} segments that {@code pinot-tools
 * build-segment} makes ({@link RealSegments}), in Pinot's JSON forms: the config they were built
 * with ({@link #builtWith}: a reload under it has nothing to do) and the change the sync benchmark
 * applies ({@link #changed}): an inverted index on the dictionary column {@value #INVERTED} and a
 * range index on the raw metric {@value #RANGE}, both absent from the built segments, so Pinot's
 * preprocessing has to read those columns and write two new indexes.
 *
 * <p>The documents mirror {@code pinot-tools}' {@code EventsTable}; the benchmark checks with
 * Pinot's own {@code check} that a built segment needs no processing under {@link #builtWith} and
 * needs it under {@link #changed}, so a drift between the two fails the run instead of measuring
 * the wrong work.
 */
record EventsTableDocs(ObjectNode builtWith, ObjectNode changed, ObjectNode schema) {

  static final String INVERTED = "campaign";
  static final String RANGE = "clicks";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The documents, with {@code replication} servers per segment. */
  static EventsTableDocs load(int replication) {
    ObjectNode config = read("events-table-config.json");
    ((ObjectNode) config.get("segmentsConfig")).put("replication", Integer.toString(replication));
    ObjectNode changed = config.deepCopy();
    ObjectNode indexes = (ObjectNode) changed.get("tableIndexConfig");
    ((ArrayNode) indexes.get("invertedIndexColumns")).add(INVERTED);
    ((ArrayNode) indexes.get("rangeIndexColumns")).add(RANGE);
    return new EventsTableDocs(config, changed, read("events-schema.json"));
  }

  /** Files for {@code pinot-tools process} and {@code check}. */
  record DocFiles(Path builtWith, Path changed, Path schema) {}

  /** Writes the three documents into {@code dir}. */
  DocFiles write(Path dir) throws IOException {
    Files.createDirectories(dir);
    DocFiles files =
        new DocFiles(
            dir.resolve("table-config-built.json"),
            dir.resolve("table-config-changed.json"),
            dir.resolve("schema.json"));
    JSON.writeValue(files.builtWith().toFile(), builtWith);
    JSON.writeValue(files.changed().toFile(), changed);
    JSON.writeValue(files.schema().toFile(), schema);
    return files;
  }

  /** What the change adds, for the report. */
  static String changeDescription() {
    return "inverted index on "
        + INVERTED
        + " (dictionary STRING), range index on "
        + RANGE
        + " (raw INT)";
  }

  private static ObjectNode read(String resource) {
    try (InputStream in = EventsTableDocs.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " missing from the classpath");
      }
      JsonNode node = JSON.readTree(in);
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
