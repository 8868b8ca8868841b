package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.DataDirectoryLock;
import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.TransferListener;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code reload}: Pinot's reload protocol on one segment. */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    header =
        "Reloads one segment with Pinot's reload protocol, restoring the backup on any failure.",
    description =
        "Reloads a segment: renames it to <segment>.segment.bak, then downloads a fresh copy (forced, or the CRC differs) or copies the backup back; restores the backup on any failure.")
final class ReloadCommand implements Callable<Integer> {

  @Mixin SegmentCommandOptions options;

  @Mixin MetadataFileOption metadataFile;

  @Option(names = "--force-download", description = "Download even when the local CRC matches.")
  boolean forceDownload;

  @Mixin OutputOptions output;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var metadata = metadataFile.read();
    try (DataDirectoryLock lock = options.lock("reload");
        Interruption interrupted =
            Interruption.exiting(
                spec.commandLine().getErr(), Interruption.dataDirectoryLeft(options.dataDir));
        TransferRuntime runtime = options.runtime(SegmentCommandOptions.locations(metadata))) {
      SegmentOutcome outcome =
          runtime
              .dataDirectory(
                  options.dataDir,
                  DataDirectoryConfig.defaults(),
                  PeerFinder.NONE,
                  null,
                  TransferListener.NONE)
              .reload(metadata, forceDownload)
              .block(SegmentCommandOptions.LIMIT);
      output.print(OutcomeSummary.of(outcome));
      return 0;
    }
  }
}
