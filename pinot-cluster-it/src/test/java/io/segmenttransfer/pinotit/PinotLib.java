package io.segmenttransfer.pinotit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directory of Pinot 0.11's runtime jars that the module's build resolved (system property
 * {@value #PROPERTY}, set by Surefire; {@code target/pinot-0.11-lib} otherwise).
 */
final class PinotLib {

  static final String PROPERTY = "segmenttransfer.pinot.lib";

  private PinotLib() {}

  static Path directory() {
    Path lib = Path.of(System.getProperty(PROPERTY, "target/pinot-0.11-lib")).toAbsolutePath();
    if (!Files.isRegularFile(lib.resolve("pinot-tools-0.11.0.jar"))) {
      throw new IllegalStateException(
          "Pinot 0.11 jars missing from "
              + lib
              + ": build the module with Maven (it resolves them into target/pinot-0.11-lib)");
    }
    return lib;
  }
}
