package io.segmenttransfer.server.cli;

import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.http.HttpUrls;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bootstrap}: every segment of a table (or of metadata files) into a data directory, then
 * exit.
 */
@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    header = "Downloads every segment of a table into a data directory, then exits.",
    description =
        "Downloads every segment of a table into a data directory and exits: recovers the directory first, keeps copies whose CRC already matches, downloads the rest (deep store first, ONLINE peers from the controller's external view as the fallback) within the download limit, and prints a summary. Exit 0 when every segment is in place, 1 when any failed (each failure is listed), 2 for bad flags. Either --controller URL --table T (T with type, or raw for every type that exists), with --instance ID for only what the ideal state assigns to that server, or --metadata FILE... (add --controller to let peers serve what the download URLs cannot).")
final class BootstrapCommand implements Callable<Integer> {

  @Option(
      names = "--controller",
      paramLabel = "URL",
      description = "The controller, e.g. http://127.0.0.1:9000.")
  String controllerUrl;

  private URI controller;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description = "events_OFFLINE, or events for every type it has.")
  String table;

  @Option(
      names = "--instance",
      paramLabel = "ID",
      description = {
        "Only the segments the controller's ideal state assigns ONLINE to this instance, e.g.",
        "Server_10.0.0.5_8098: prepares that Pinot server's data directory before it starts."
      })
  String instance;

  @Option(
      names = "--metadata",
      paramLabel = "FILE",
      arity = "1..*",
      description =
          "Segment metadata JSON files, as 'load' takes them, instead of listing a table.")
  List<Path> metadataFiles = new ArrayList<>();

  @Option(
      names = "--max-parallel-downloads",
      paramLabel = "N",
      defaultValue = "4",
      description =
          "Downloads at once (Pinot's max.parallel.segment.downloads); 0 for no limit. Default: ${DEFAULT-VALUE}.")
  int maxParallelDownloads;

  @Option(
      names = "--peer-rounds",
      paramLabel = "N",
      defaultValue = "" + TableBootstrap.Settings.DEFAULT_PEER_ROUNDS,
      description =
          "Rounds of peer discovery per segment after its deep-store copy failed. Default: ${DEFAULT-VALUE}.")
  int peerRounds;

  @Mixin SegmentCommandOptions options;

  @Mixin OutputOptions output;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    controller = controllerUrl == null ? null : HttpUrls.parse("--controller", controllerUrl);
    List<SegmentMetadata> segments;
    String label;
    if (metadataFiles.isEmpty()) {
      if (controller == null || table == null) {
        throw new InvalidRequestException(
            null, "give --controller and --table, or --metadata files");
      }
      ControllerClient client =
          ControllerClient.create(controller.toString(), options.clientSecurity());
      segments =
          (instance == null
                  ? TableBootstrap.listTable(client, table)
                  : InstanceSegments.list(client, table, instance))
              .block(java.time.Duration.ofMinutes(2));
      label = table;
    } else {
      if (instance != null) {
        throw new InvalidRequestException(
            null, "--instance reads the controller's ideal state: give --controller and --table");
      }
      if (table != null) {
        throw new InvalidRequestException(
            null,
            "--table lists a table on the controller; --metadata files name their own segments");
      }
      segments = metadataFiles.stream().map(SegmentCommandOptions::readMetadata).toList();
      label =
          segments.stream()
              .map(m -> m.table().toString())
              .distinct()
              .collect(Collectors.joining(","));
    }
    TableBootstrap.Settings settings =
        new TableBootstrap.Settings(
            options.dataDir,
            controller,
            maxParallelDownloads,
            peerRounds,
            options.clientSecurity());
    BootstrapProgress progress =
        new BootstrapProgress(
            BootstrapProgress.Mode.of(output.json),
            spec.commandLine().getOut(),
            "bootstrap " + label,
            TableBootstrap.announcedBytes(segments),
            "");
    BootstrapSummary summary;
    try (Interruption interrupted =
        Interruption.exiting(
            spec.commandLine().getErr(), Interruption.dataDirectoryLeft(options.dataDir))) {
      summary =
          TableBootstrap.run(
              settings,
              label,
              segments,
              options.crypters(),
              options.storeOptions.storesFor(locations(segments)),
              progress);
    }
    output.print(summary);
    if (!summary.succeeded()) {
      spec.commandLine()
          .getErr()
          .println(
              "error: "
                  + summary.failed()
                  + " of "
                  + summary.segments()
                  + " segments failed: "
                  + summary.failures().get(0)
                  + (summary.failed() > 1 ? " (and more, see the summary)" : ""));
      spec.commandLine().getErr().flush();
      return Main.EXIT_FAILED;
    }
    return 0;
  }

  /** Every location a download may use: the segments' URLs, and the controller's peers (HTTP). */
  private Collection<URI> locations(List<SegmentMetadata> segments) {
    Set<URI> locations = new LinkedHashSet<>();
    segments.forEach(m -> locations.addAll(SegmentCommandOptions.locations(m)));
    if (controller != null) {
      locations.add(controller);
    }
    return locations;
  }
}
