package io.segmenttransfer.controller.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * {@code processor=pinot}: applies the table's current config and schema with Apache Pinot's own
 * segment preprocessing (what a Pinot server runs on reload: indexes added or removed, new columns
 * with defaults), run as a child JVM from {@code pinot-tools.jar} ({@link PinotToolsJar}) through
 * the {@code command} machinery: {@code java -jar pinot-tools.jar process --segment-dir DIR
 * --table-config TABLE.json --schema SCHEMA.json}, which processes the directory in place and exits
 * 0 on success, 1 on failure (one line on stderr), 2 on bad arguments. It leaves {@code
 * creation.meta} alone; the sync recomputes it.
 */
final class PinotProcessor extends CommandProcessor {

  private static final ObjectMapper JSON = new ObjectMapper();

  PinotProcessor(Path jar, Scheduler scheduler) {
    super("pinot", context -> argv(jar, context), scheduler);
  }

  /** Finds the jar now, so a missing one refuses the run instead of failing every segment. */
  static PinotProcessor create(Scheduler scheduler) {
    return new PinotProcessor(PinotToolsJar.locate(), scheduler);
  }

  @Override
  public void checkTable(TableConfig config, @Nullable JsonNode schema) {
    if (schema == null) {
      throw new InvalidRequestException(
          null,
          "the pinot processor needs the table's schema and "
              + config.table()
              + " has none: POST /schemas first");
    }
  }

  /** Writes the config and schema next to the segment and names them in the arguments. */
  private static List<String> argv(Path jar, ProcessorContext context) {
    Path tableConfig = context.workDir().resolve("table-config.json");
    Path schema = context.workDir().resolve("schema.json");
    try {
      JSON.writeValue(tableConfig.toFile(), context.config().json());
      JSON.writeValue(schema.toFile(), context.schema());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return List.of(
        java.toString(),
        "-jar",
        jar.toString(),
        "process",
        "--segment-dir",
        context.segmentDir().toString(),
        "--table-config",
        tableConfig.toString(),
        "--schema",
        schema.toString());
  }
}
