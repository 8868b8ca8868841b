package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentTransferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Turns failures into one line on stderr and an exit code: 2 for usage, 1 for failed work. */
final class ErrorReporter {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

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
    // The whole chain is for whoever debugs, not for the terminal: at debug level in the log, or
    // on stderr when asked for.
    LOG.debug("{} failed", commandLine.getCommandSpec().qualifiedName(), cause);
    if (Boolean.getBoolean("segmenttransfer.debug")) {
      cause.printStackTrace(commandLine.getErr());
    }
    commandLine.getErr().flush();
    return exitCode(cause);
  }

  static int reportUsage(CommandLine.ParameterException error, String[] args) {
    CommandLine commandLine = error.getCommandLine();
    // One line: what was wrong, and where the usage is.
    commandLine
        .getErr()
        .println(
            "error: "
                + describeUsage(error)
                + " (see '"
                + commandLine.getCommandSpec().qualifiedName()
                + " --help')");
    commandLine.getErr().flush();
    return Main.EXIT_USAGE;
  }

  /** A mistyped command or option is told with the closest one picocli knows. */
  private static String describeUsage(CommandLine.ParameterException error) {
    if (error instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.getSuggestions().isEmpty()
        && !unmatched.getUnmatched().isEmpty()) {
      String given = unmatched.getUnmatched().get(0);
      return (given.startsWith("-") ? "unknown option '" : "unknown command '")
          + given
          + "': did you mean '"
          + unmatched.getSuggestions().get(0)
          + "'?";
    }
    return error.getMessage();
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

  /**
   * The message alone: the project's errors say what, why and what to do; anything else is a
   * defect, told as such without a class name (the stack trace is at debug level).
   */
  static String describe(Throwable error) {
    error = unwrap(error);
    String message = error.getMessage();
    if (error instanceof SegmentTransferException || (message != null && !message.isBlank())) {
      return message;
    }
    return "unexpected internal failure; run again with -Dsegmenttransfer.debug=true for details";
  }
}
