package io.segmenttransfer.pinottools;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that works on an existing segment shares. */
final class TableOptions {

  @Option(
      names = "--segment-dir",
      required = true,
      description =
          "The segment directory (as untarred: metadata.properties at its top or in v3/).")
  Path segmentDir;

  @Option(
      names = "--table-config",
      required = true,
      description = "The table config, Pinot's JSON form.")
  Path tableConfig;

  @Option(names = "--schema", required = true, description = "The schema, Pinot's JSON form.")
  Path schema;
}
