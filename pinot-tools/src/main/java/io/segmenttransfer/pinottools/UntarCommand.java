package io.segmenttransfer.pinottools;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.pinot.common.utils.TarCompressionUtils;
import org.apache.pinot.spi.utils.JsonUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code untar}: Pinot's own {@link TarCompressionUtils#untar(File, File)}, for benchmarks that
 * compare a fresh JVM of ours with a fresh JVM of Pinot's code on the same archive.
 */
@Command(
    name = "untar",
    description = "Extract a segment archive with Pinot's TarCompressionUtils.")
final class UntarCommand implements Callable<Integer> {

  @Option(names = "--archive", required = true, description = "A .tar.gz, .tar.zst or .tar.lz4.")
  Path archive;

  @Option(names = "--out", required = true, description = "The directory to extract into.")
  Path out;

  @Option(names = "--json", description = "Print files, bytes and millis as one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  /** What {@code --json} prints; {@code millis} is Pinot's untar alone, without JVM start-up. */
  record Result(String archive, int entries, long bytes, long millis) {}

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(archive)) {
      throw new IllegalArgumentException("archive does not exist: " + archive);
    }
    Files.createDirectories(out);
    long started = System.nanoTime();
    List<File> entries = TarCompressionUtils.untar(archive.toFile(), out.toFile());
    long millis = (System.nanoTime() - started) / 1_000_000;
    long bytes = 0;
    for (File entry : entries) {
      if (entry.isFile()) {
        bytes += entry.length();
      }
    }
    PrintWriter printer = spec.commandLine().getOut();
    if (json) {
      printer.println(
          JsonUtils.objectToString(new Result(archive.toString(), entries.size(), bytes, millis)));
    } else {
      printer.printf("untarred %d entries, %d bytes in %d ms%n", entries.size(), bytes, millis);
    }
    printer.flush();
    return PinotTools.EXIT_OK;
  }
}
