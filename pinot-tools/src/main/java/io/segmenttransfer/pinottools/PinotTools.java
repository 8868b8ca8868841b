package io.segmenttransfer.pinottools;

import java.io.PrintWriter;
import org.apache.pinot.segment.local.segment.index.loader.SegmentPreProcessor;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The program: {@code java -jar pinot-tools.jar <command> ...}. Exit codes are the contract with
 * the service that launches it: 0 success, 1 failure (one plain line on stderr naming what failed),
 * 2 bad arguments (picocli's usage message).
 */
@Command(
    name = "pinot-tools",
    mixinStandardHelpOptions = true,
    versionProvider = PinotTools.PinotVersion.class,
    description =
        "Apache Pinot 1.5's own segment code: preprocess, check, build and untar segments.",
    subcommands = {
      ProcessCommand.class,
      CheckCommand.class,
      BuildSegmentCommand.class,
      UntarCommand.class
    })
public final class PinotTools {

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  private PinotTools() {}

  /** {@code --version}: the Pinot build this program runs, as its jar's manifest names it. */
  static final class PinotVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String pinot = SegmentPreProcessor.class.getPackage().getImplementationVersion();
      return new String[] {"pinot-tools, Apache Pinot " + (pinot == null ? "(unknown)" : pinot)};
    }
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command in this JVM and answers its exit code (tests call this directly). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    PinotLogging.configure();
    CommandLine commandLine = new CommandLine(new PinotTools());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExitCodeExceptionMapper(e -> EXIT_FAILED);
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println(FailureLine.of(cmd.getCommandName(), e));
          return EXIT_FAILED;
        });
    commandLine.setParameterExceptionHandler(
        (e, parsedArgs) -> {
          CommandLine failed = e.getCommandLine();
          failed.getErr().println(e.getMessage());
          failed.usage(failed.getErr());
          return EXIT_USAGE;
        });
    return commandLine.execute(args);
  }
}
