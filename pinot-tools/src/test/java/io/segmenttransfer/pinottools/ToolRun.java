package io.segmenttransfer.pinottools;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One command of {@link PinotTools} run in the test JVM: its exit code, stdout and stderr. */
record ToolRun(int exitCode, String out, String err) {

  static ToolRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = PinotTools.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new ToolRun(exitCode, out.toString(), err.toString());
  }
}
