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

/** {@code load}: add or replace one segment described by a metadata file. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    header = "Adds or replaces one segment described by a metadata file.",
    description =
        "Makes <dataDir>/<table>/<segment> match a segment's metadata: keeps a copy with the same CRC, recovers an interrupted swap, or downloads from segment.download.url and swaps it in atomically.")
final class LoadCommand implements Callable<Integer> {

  @Mixin SegmentCommandOptions options;

  @Mixin MetadataFileOption metadataFile;

  @Mixin OutputOptions output;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    var metadata = metadataFile.read();
    try (DataDirectoryLock lock = options.lock("load");
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
              .addOrReplace(metadata)
              .block(SegmentCommandOptions.LIMIT);
      output.print(OutcomeSummary.of(outcome));
      return 0;
    }
  }
}
