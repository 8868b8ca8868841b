package io.segmenttransfer.pinottools;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pinot.segment.local.segment.index.loader.IndexLoadingConfig;
import org.apache.pinot.spi.config.table.TableConfig;
import org.apache.pinot.spi.data.Schema;
import org.apache.pinot.spi.utils.JsonUtils;

/**
 * A table config and a schema in Pinot's own JSON forms, parsed by Pinot, and the {@link
 * IndexLoadingConfig} a Pinot server builds from them to load or reload a segment.
 */
record TableInputs(TableConfig tableConfig, Schema schema) {

  static TableInputs read(Path tableConfigFile, Path schemaFile) {
    TableConfig tableConfig = parse("table config", tableConfigFile, TableConfig.class);
    Schema schema = parse("schema", schemaFile, Schema.class);
    return new TableInputs(tableConfig, schema);
  }

  IndexLoadingConfig indexLoadingConfig() {
    return new IndexLoadingConfig(tableConfig, schema);
  }

  private static <T> T parse(String what, Path file, Class<T> type) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(what + " file does not exist: " + file);
    }
    File asFile = file.toFile();
    try {
      return JsonUtils.fileToObject(asFile, type);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot read the " + what + " " + file + " as Pinot JSON: " + e.getMessage(), e);
    }
  }
}
