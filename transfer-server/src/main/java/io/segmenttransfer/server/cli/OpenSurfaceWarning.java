package io.segmenttransfer.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one line {@code controller} and {@code server} print when they run without an auth file. The
 * quickstart does not print it: it listens on the loopback address only, for a demonstration.
 */
final class OpenSurfaceWarning {

  private OpenSurfaceWarning() {}

  static void unlessSecured(Path authFile, String who, String url, CommandSpec spec) {
    if (authFile == null) {
      spec.commandLine()
          .getErr()
          .println(
              "warning: "
                  + who
                  + " runs without --auth-file: anyone who reaches "
                  + url
                  + " may call every route (README: Authentication)");
      spec.commandLine().getErr().flush();
    }
  }
}
