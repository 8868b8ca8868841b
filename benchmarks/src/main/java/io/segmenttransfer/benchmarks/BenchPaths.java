package io.segmenttransfer.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the benchmarks keep data and results, whether they run from the repository root ({@code
 * java -jar benchmarks/target/benchmarks.jar}) or from the module directory (Maven tests). {@code
 * -Dbench.dir=<benchmarks module dir>} overrides the guess.
 */
public final class BenchPaths {

  private BenchPaths() {}

  /** The benchmarks module directory. */
  public static Path module() {
    String configured = System.getProperty("bench.dir");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath();
    }
    Path cwd = Path.of("").toAbsolutePath();
    if (Files.isDirectory(cwd.resolve("benchmarks").resolve("src"))) {
      return cwd.resolve("benchmarks");
    }
    return cwd;
  }

  /** {@code benchmarks/target}: generated archives and scratch directories, never committed. */
  public static Path target() {
    return module().resolve("target");
  }

  /** {@code benchmarks/results}: the JSON and charts the README quotes. */
  public static Path results() {
    return module().resolve("results");
  }
}
