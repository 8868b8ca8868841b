package io.segmenttransfer.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar segment-transfer.jar <command>}. Exit codes: 0 success, 1 the work failed (the
 * one-line error says why), 2 bad flags or configuration. The jar's own main class is {@link
 * io.segmenttransfer.server.launcher.JarLauncher}, which runs this one (in a child JVM with a
 * class-data-sharing archive for a one-shot command).
 */
@Command(
    name = "segment-transfer",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Reactive segment transfer for Pinot-style analytics servers.",
    subcommands = {
      ExtractCommand.class,
      LoadCommand.class,
      ReloadCommand.class,
      RecoverCommand.class,
      ControllerCommand.class,
      ServerCommand.class,
      CommitCommand.class,
      ArchiveCommand.class,
      BootstrapCommand.class,
      QuickstartCommand.class,
      SyncCommand.class,
      HashPasswordCommand.class,
      HashTokenCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {

  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;

  /** Netty's switch for its JFR events (allocator chunks, buffers), read once when Netty loads. */
  static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";

  public static void main(String[] args) {
    // Unless asked for: the first buffer allocation would otherwise register Netty's JFR event
    // types, loading about 150 JFR and reflection classes on the first request's critical path
    // (about 0.1-0.3 s of a fresh JVM's first HTTP or S3 transfer, profiled), for events that no
    // recording of a command-line run uses.
    if (System.getProperty(NETTY_JFR_PROPERTY) == null) {
      System.setProperty(NETTY_JFR_PROPERTY, "false");
    }
    // Installing the hook below initialises Reactor's and SLF4J's logging, whose service lookup is
    // the first read of this jar's resources: opening the jar reads its central directory (35,000
    // entries, about 30 ms in a fresh JVM). On a thread of its own it overlaps picocli building the
    // command from its annotations (classes only, mapped from the class-data-sharing archive).
    Thread logging = new Thread(Main::dropErrorsAfterCancel, "cli-init");
    logging.start();
    CommandLine commandLine = newCommandLine(args);
    joinUninterruptibly(logging);
    int exitCode = commandLine.execute(args);
    // Idle event loops sit in native code, and the JVM's exit waits up to 300 ms for such threads.
    io.segmenttransfer.http.SharedEventLoops.stopBeforeExit();
    System.exit(exitCode);
  }

  /**
   * An error signalled after its subscriber cancelled (a read racing its own cancel) has no one
   * left to act on it: at debug level in the log, not a stack trace on the user's terminal.
   */
  private static void dropErrorsAfterCancel() {
    reactor.core.publisher.Hooks.onErrorDropped(
        dropped ->
            org.slf4j.LoggerFactory.getLogger(Main.class)
                .debug("error after cancel, dropped", dropped));
  }

  private static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a command line and returns its exit code, without exiting: for tests. */
  public static int run(String... args) {
    return newCommandLine(args).execute(args);
  }

  /** The command line with every command. */
  static CommandLine newCommandLine() {
    return configure(new CommandLine(new Main()));
  }

  /**
   * The command line for {@code args}: when they start with a command's name, a top level that
   * knows only that command, which parses, runs and answers help exactly as the full one does for
   * it. Picocli otherwise instantiates and reflects every command and its options on each start
   * (their fields, mixins and static state: Jackson mappers, daemon configuration, about 600
   * classes), a third of a fresh JVM's set-up before any transfer starts (profiled).
   */
  static CommandLine newCommandLine(String... args) {
    if (args.length > 0) {
      for (Class<?> command : Main.class.getAnnotation(Command.class).subcommands()) {
        Command annotation = command.getAnnotation(Command.class);
        if (command != CommandLine.HelpCommand.class
            && annotation != null
            && annotation.name().equals(args[0])) {
          Object instance;
          try {
            instance = CommandLine.defaultFactory().create(command);
          } catch (Exception e) {
            break; // the full command line reports it as it would
          }
          CommandLine one = new CommandLine(new Single());
          one.addSubcommand(instance);
          return configure(one);
        }
      }
    }
    return newCommandLine();
  }

  private static CommandLine configure(CommandLine commandLine) {
    commandLine.setExitCodeExceptionMapper(ErrorReporter::exitCode);
    commandLine.setExecutionExceptionHandler(ErrorReporter::report);
    commandLine.setParameterExceptionHandler(ErrorReporter::reportUsage);
    return commandLine;
  }

  /** The top level of {@link #newCommandLine(String...)} when one command was named. */
  @Command(
      name = "segment-transfer",
      mixinStandardHelpOptions = true,
      versionProvider = Main.Version.class,
      description = "Reactive segment transfer for Pinot-style analytics servers.")
  static final class Single {}

  /**
   * The project version the build wrote into {@code segment-transfer-version.properties} (and the
   * jar's manifest), so {@code -V} tells which build runs, from the jar and from the classes alike.
   */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      String version = Main.class.getPackage().getImplementationVersion();
      if (version == null) {
        try (java.io.InputStream in =
            Main.class.getResourceAsStream("/segment-transfer-version.properties")) {
          java.util.Properties properties = new java.util.Properties();
          if (in != null) {
            properties.load(in);
          }
          version = properties.getProperty("version", "unknown");
        }
      }
      return new String[] {
        "segment-transfer " + version,
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
      };
    }
  }
}
