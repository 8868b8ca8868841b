package io.segmenttransfer.pinottools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pinot.spi.config.table.TableConfig;
import org.apache.pinot.spi.data.DimensionFieldSpec;
import org.apache.pinot.spi.data.FieldSpec.DataType;
import org.apache.pinot.spi.data.Schema;

/**
 * Table config and schema files in Pinot's own JSON forms (written by Pinot's serialisers), as the
 * service hands them to {@code process} and {@code check}: the table as built, and the same table
 * after a config change that adds an inverted index on {@code campaign} and a new column.
 */
record TableFiles(Path tableConfig, Path schema) {

  static final String NEW_COLUMN = "region";
  static final String NEW_COLUMN_DEFAULT = "unknown";

  static TableFiles asBuilt(Path dir) throws IOException {
    return write(dir, "built", EventsTable.tableConfig("events"), EventsTable.schema("events"));
  }

  /**
   * The config change of issue #12's test: a new inverted index and a new column with a default.
   */
  static TableFiles changed(Path dir) throws IOException {
    TableConfig tableConfig = EventsTable.tableConfig("events");
    List<String> inverted =
        new ArrayList<>(tableConfig.getIndexingConfig().getInvertedIndexColumns());
    inverted.add(EventsTable.CAMPAIGN);
    tableConfig.getIndexingConfig().setInvertedIndexColumns(inverted);
    Schema schema = EventsTable.schema("events");
    schema.addField(new DimensionFieldSpec(NEW_COLUMN, DataType.STRING, true, NEW_COLUMN_DEFAULT));
    return write(dir, "changed", tableConfig, schema);
  }

  private static TableFiles write(Path dir, String name, TableConfig tableConfig, Schema schema)
      throws IOException {
    Files.createDirectories(dir);
    Path tableFile = dir.resolve(name + "-table.json");
    Path schemaFile = dir.resolve(name + "-schema.json");
    Files.writeString(tableFile, tableConfig.toJsonString());
    Files.writeString(schemaFile, schema.toPrettyJsonString());
    return new TableFiles(tableFile, schemaFile);
  }

  String[] options(Path segmentDir) {
    return new String[] {
      "--segment-dir", segmentDir.toString(),
      "--table-config", tableConfig.toString(),
      "--schema", schema.toString()
    };
  }
}
