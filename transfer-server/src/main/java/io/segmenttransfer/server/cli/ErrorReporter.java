package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentTransferException;
import picocli.CommandLine;

/** Turns failures into one line on stderr and an exit code: 2 for usage, 1 for failed work. */
final class ErrorReporter {

  private ErrorReporter() {}

  static int exitCode(Throwable error) {
    return error instanceof InvalidRequestException
            || error instanceof CommandLine.ParameterException
        ? Main.EXIT_USAGE
        : Main.EXIT_FAILED;
  }

  static int report(Exception error, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    Throwable cause = unwrap(error);
    commandLine.getErr().println("error: " + describe(cause));
    if (Boolean.getBoolean("segmenttransfer.debug")) {
      cause.printStackTrace(commandLine.getErr());
    }
    return exitCode(cause);
  }

  static int reportUsage(CommandLine.ParameterException error, String[] args) {
    CommandLine commandLine = error.getCommandLine();
    commandLine.getErr().println("error: " + error.getMessage());
    commandLine
        .getErr()
        .println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
    return Main.EXIT_USAGE;
  }

  /** Reactor wraps checked exceptions when {@code block()} rethrows them. */
  private static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while (!(current instanceof SegmentTransferException)
        && current.getCause() != null
        && current.getCause() != current
        && (current.getClass().getName().startsWith("reactor.")
            || current instanceof java.util.concurrent.ExecutionException
            || current instanceof java.io.UncheckedIOException)) {
      current = current.getCause();
    }
    return current;
  }

  static String describe(Throwable error) {
    error = unwrap(error);
    if (error instanceof SegmentTransferException) {
      return error.getMessage();
    }
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
