package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The daemon talks to the controller only through controller-client's wire model and client; the
 * embedded controller's internals (transfer-controller) are for the {@code controller} and {@code
 * quickstart} commands alone. The module graph cannot say this (the jar holds both), so this test
 * reads the daemon's imports.
 */
class DaemonBoundaryTest {

  private static final Pattern IMPORT =
      Pattern.compile("^import (static )?(io\\.segmenttransfer\\.[\\w.]+);", Pattern.MULTILINE);

  @Test
  void daemonImportsNothingOfTheControllerButItsWireModelAndClient() throws IOException {
    Path daemon = Path.of("src/main/java/io/segmenttransfer/server/daemon");
    assertThat(daemon).isDirectory();
    List<String> offending = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.list(daemon)) {
      for (Path file :
          (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        checked++;
        Matcher imports = IMPORT.matcher(Files.readString(file));
        while (imports.find()) {
          String imported = imports.group(2);
          if (imported.startsWith("io.segmenttransfer.controller.")
              && !imported.startsWith("io.segmenttransfer.controller.api.")
              && !imported.startsWith("io.segmenttransfer.controller.client.")) {
            offending.add(file.getFileName() + ": " + imported);
          }
        }
      }
    }
    assertThat(checked).as("daemon sources read").isGreaterThan(3);
    assertThat(offending).as("controller internals imported by the daemon").isEmpty();
  }
}
