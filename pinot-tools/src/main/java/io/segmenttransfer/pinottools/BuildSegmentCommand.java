package io.segmenttransfer.pinottools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.pinot.common.utils.TarCompressionUtils;
import org.apache.pinot.spi.utils.JsonUtils;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code build-segment}: a real Pinot segment of {@link EventsTable}, built by Pinot's segment
 * creation driver from rows generated from a seed (the same seed and rows give the same segment,
 * CRC included), and optionally its archive written by Pinot's own tar utility.
 */
@Command(
    name = "build-segment",
    description =
        "Build a Pinot segment of generated rows (and its archive) with Pinot's own code.")
final class BuildSegmentCommand implements Callable<Integer> {

  @Option(
      names = "--out",
      required = true,
      description = "Parent directory: the segment is created in <out>/<segment name>.")
  Path out;

  @Option(names = "--rows", required = true, description = "Number of rows.")
  long rows;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the rows (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--table",
      defaultValue = "events",
      description = "Table name (default ${DEFAULT-VALUE}).")
  String table;

  @Option(
      names = "--segment-name",
      description = "Segment name (default: Pinot's, table_start_end_0).")
  String segmentName;

  @ArgGroup(exclusive = false)
  ArchiveOptions archive;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  /** {@code --archive} and {@code --archive-out} come together. */
  static final class ArchiveOptions {
    @Option(names = "--archive", required = true, description = "gzip or zstd.")
    SegmentArchiveCodec codec;

    @Option(names = "--archive-out", required = true, description = "The archive file to write.")
    Path file;
  }

  /** What the command prints (as JSON with {@code --json}). */
  record Result(
      String segmentName,
      String segmentDir,
      long rows,
      long bytes,
      double seconds,
      String archive,
      Long archiveBytes,
      Double archiveSeconds) {}

  @Override
  public Integer call() throws Exception {
    if (rows <= 0) {
      throw new ParameterException(spec.commandLine(), "--rows must be positive, was " + rows);
    }
    Files.createDirectories(out);
    SegmentBuilder.BuiltSegment built = SegmentBuilder.build(out, table, segmentName, rows, seed);
    String archivePath = null;
    Long archiveBytes = null;
    Double archiveSeconds = null;
    if (archive != null) {
      Path parent = archive.file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      long started = System.nanoTime();
      TarCompressionUtils.createCompressedTarFile(
          built.dir().toFile(), archive.file.toFile(), archive.codec.pinotCompressorName());
      archiveSeconds = seconds(System.nanoTime() - started);
      archiveBytes = Files.size(archive.file);
      archivePath = archive.file.toString();
    }
    Result result =
        new Result(
            built.name(),
            built.dir().toString(),
            built.rows(),
            built.bytes(),
            seconds(built.nanos()),
            archivePath,
            archiveBytes,
            archiveSeconds);
    PrintWriter printer = spec.commandLine().getOut();
    if (json) {
      printer.println(JsonUtils.objectToString(result));
    } else {
      printer.printf(
          "built %s: %d rows, %d bytes in %.2f s (%s)%n",
          result.segmentName(),
          result.rows(),
          result.bytes(),
          result.seconds(),
          result.segmentDir());
      if (archivePath != null) {
        printer.printf(
            "archived %s: %d bytes in %.2f s%n", archivePath, archiveBytes, archiveSeconds);
      }
    }
    printer.flush();
    return PinotTools.EXIT_OK;
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }
}
