package io.segmenttransfer.pinottools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Small real segments built by {@code build-segment} for the tests. */
final class TestSegments {

  static final int ROWS = 30_000;

  private TestSegments() {}

  /** Builds a segment under {@code parent} in this JVM and answers its directory. */
  static Path build(Path parent, long seed, String... extraArgs) throws IOException {
    String[] args =
        Stream.concat(
                Stream.of(
                    "build-segment",
                    "--out",
                    parent.toString(),
                    "--rows",
                    String.valueOf(ROWS),
                    "--seed",
                    String.valueOf(seed)),
                Stream.of(extraArgs))
            .toArray(String[]::new);
    ToolRun run = ToolRun.of(args);
    assertThat(run.exitCode()).as("build-segment: %s", run.err()).isZero();
    return only(parent);
  }

  /** The one segment directory under {@code parent}. */
  static Path only(Path parent) throws IOException {
    try (Stream<Path> children = Files.list(parent)) {
      return children
          .filter(Files::isDirectory)
          .reduce(
              (a, b) -> {
                throw new IllegalStateException("more than one directory in " + parent);
              })
          .orElseThrow();
    }
  }
}
