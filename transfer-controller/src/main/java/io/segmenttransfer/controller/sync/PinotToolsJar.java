package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Finds {@code pinot-tools.jar}, the program the {@code pinot} processor runs (Apache Pinot's own
 * segment code in its own JVM, so Pinot's dependency tree never meets the controller's). In order:
 * the system property {@value #PROPERTY}; the environment variable {@value #ENV}; {@code
 * pinot-tools.jar} next to the jar the controller runs from; {@code pinot-tools/target/
 * pinot-tools.jar} in the working directory or any directory above it (a source checkout after
 * {@code mvn package}). A property or variable naming a file that does not exist is an error, not a
 * reason to look further.
 */
final class PinotToolsJar {

  static final String PROPERTY = "segmenttransfer.pinotTools";
  static final String ENV = "SEGMENT_TRANSFER_PINOT_TOOLS";
  static final String FILE_NAME = "pinot-tools.jar";
  static final Path BUILT = Path.of("pinot-tools", "target", FILE_NAME);

  private PinotToolsJar() {}

  /** Where the jar is, for this JVM. */
  static Path locate() {
    return locate(System::getProperty, System::getenv, ownJar(), Path.of("").toAbsolutePath());
  }

  /**
   * @param ownJar the jar the controller's classes came from, null when they came from a directory
   * @throws InvalidRequestException when there is none, saying how to build or name it
   */
  static Path locate(
      UnaryOperator<String> properties,
      UnaryOperator<String> environment,
      @Nullable Path ownJar,
      Path workingDir) {
    String property = properties.apply(PROPERTY);
    if (property != null && !property.isBlank()) {
      return existing(Path.of(property.trim()), "-D" + PROPERTY);
    }
    String env = environment.apply(ENV);
    if (env != null && !env.isBlank()) {
      return existing(Path.of(env.trim()), ENV);
    }
    if (ownJar != null && ownJar.getParent() != null) {
      Path beside = ownJar.getParent().resolve(FILE_NAME);
      if (Files.isRegularFile(beside)) {
        return beside;
      }
    }
    for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path built = dir.resolve(BUILT);
      if (Files.isRegularFile(built)) {
        return built;
      }
    }
    throw new InvalidRequestException(
        null,
        "the pinot processor needs "
            + FILE_NAME
            + " and found none: build it with 'mvn package' (it lands in "
            + BUILT
            + "), or name it with -D"
            + PROPERTY
            + "=PATH or "
            + ENV
            + "=PATH");
  }

  private static Path existing(Path jar, String source) {
    if (!Files.isRegularFile(jar)) {
      throw new InvalidRequestException(
          null,
          source + " names " + jar + ", which is not a file: build pinot-tools with 'mvn package'");
    }
    return jar.toAbsolutePath();
  }

  private static @Nullable Path ownJar() {
    try {
      var source = PinotToolsJar.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path path = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(path) ? path : null;
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }
}
