package io.segmenttransfer.server.cli;

import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.sync.ProcessorOptions;
import io.segmenttransfer.controller.sync.SyncMode;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sync}: asks a controller for a deep-store sync run of a table ({@code POST
 * /tasks/DeepStoreSync/run}), follows it ({@code GET .../runs/{id}}) with a progress bar of
 * segments on a terminal, and prints the report. Exit 0 when the run finished, even with failed
 * segments (the report lists them); 1 when it could not run (controller unreachable or refusing, a
 * run in progress, cancelled); 2 for bad flags, checked here before anything is sent.
 */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description =
        "Rebuild a table's stale segments once in the deep store (deep-store sync task): every"
            + " server holding them refreshes through the ordinary download path.")
final class SyncCommand implements Callable<Integer> {

  /** How often a running run is asked for its progress. */
  static final Duration POLL = Duration.ofMillis(250);

  @Option(
      names = "--controller",
      required = true,
      paramLabel = "URL",
      description = "Controller base URL.")
  String controller;

  @Option(
      names = "--table",
      required = true,
      description = "Table name, raw (events) or with its type.")
  String table;

  @Option(
      names = "--reload-only",
      description = "Rebuild only the segments some server reports stale.")
  boolean reloadOnly;

  @Option(
      names = "--force-reload",
      description = "Rebuild every segment not built under the table's current config hash.")
  boolean forceReload;

  @Option(
      names = "--processor",
      defaultValue = ProcessorOptions.PINOT,
      description =
          "pinot (Pinot's own preprocessing), recompress or command. Default: ${DEFAULT-VALUE}.")
  String processor;

  @Option(names = "--codec", description = "recompress: zstd, gzip, lz4 or none.")
  String codec;

  @Option(names = "--level", description = "recompress: the codec's compression level.")
  Integer level;

  @Option(
      names = "--command",
      paramLabel = "\"PROGRAM ARGS\"",
      description = "command: the program to run; {dir} is replaced by the segment directory.")
  String command;

  @Option(names = "--parallelism", description = "Segments processed at once.")
  Integer parallelism;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Longest a processor may take per segment, ISO-8601 (PT10M) or seconds.",
      converter = HttpOptions.DurationConverter.class)
  Duration timeout;

  @Mixin OutputOptions output;

  @Mixin ClientSecurityOptions security;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> options = options();
    ControllerClient client = ControllerClient.create(controller, security.toClientSecurity());
    SyncReport report;
    try {
      report = client.startSync(table, options).block(ControllerClient.DEFAULT_RESPONSE_TIMEOUT);
      report = follow(client, report);
    } catch (RuntimeException e) {
      // Whatever the controller answered (refusal, run in progress) or the network did: could not
      // run.
      spec.commandLine()
          .getErr()
          .println("error: sync could not run: " + ErrorReporter.describe(e));
      return Main.EXIT_FAILED;
    }
    output.print(new SyncSummary(report));
    return SyncReport.FINISHED.equals(report.status()) ? 0 : Main.EXIT_FAILED;
  }

  /** The flags as request options; bad combinations are usage errors (exit 2). */
  Map<String, String> options() {
    try {
      SyncMode mode = SyncMode.of(reloadOnly, forceReload);
      ProcessorOptions chosen = new ProcessorOptions(processor, codec, level, command);
      if (codec != null && !ProcessorOptions.RECOMPRESS.equals(chosen.processor())) {
        throw new InvalidRequestException(null, "--codec is an option of --processor recompress");
      }
      if (command != null && !ProcessorOptions.COMMAND.equals(chosen.processor())) {
        throw new InvalidRequestException(null, "--command is an option of --processor command");
      }
      if (parallelism != null && parallelism < 1) {
        throw new InvalidRequestException(null, "--parallelism must be at least 1");
      }
      Map<String, String> options = new LinkedHashMap<>();
      options.put("reloadOnly", Boolean.toString(mode == SyncMode.RELOAD_ONLY));
      options.put("forceReload", Boolean.toString(mode == SyncMode.FORCE_RELOAD));
      options.put("processor", chosen.processor());
      putIf(options, "codec", codec);
      putIf(options, "level", level);
      putIf(options, "command", command);
      putIf(options, "parallelism", parallelism);
      putIf(options, "timeoutSeconds", timeout == null ? null : Math.max(1, timeout.toSeconds()));
      return options;
    } catch (InvalidRequestException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private static void putIf(Map<String, String> options, String key, Object value) {
    if (value != null) {
      options.put(key, value.toString());
    }
  }

  /** Polls the run until it ends, drawing a bar of segments done on a terminal. */
  private SyncReport follow(ControllerClient client, SyncReport first) throws InterruptedException {
    SyncReport report = first;
    ProgressBar bar = null;
    try {
      while (report.isRunning()) {
        if (bar == null && !output.json && System.console() != null && report.selected() > 0) {
          bar =
              new ProgressBarBuilder()
                  .setTaskName("sync " + report.tableNameWithType())
                  .setInitialMax(report.selected())
                  .setUnit(" segments", 1)
                  .setUpdateIntervalMillis(200)
                  .setConsumer(new ConsoleProgressBarConsumer(System.out))
                  .build();
        }
        if (bar != null) {
          bar.stepTo(report.done());
        }
        Thread.sleep(POLL.toMillis());
        report = client.syncRun(report.runId()).block(ControllerClient.DEFAULT_RESPONSE_TIMEOUT);
      }
      if (bar != null) {
        bar.stepTo(report.done());
      }
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
    return report;
  }
}
