package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.DataDirectoryLock;
import io.segmenttransfer.core.local.RecoveryAction;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.TransferListener;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code recover}: startup recovery of a data directory. */
@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    header = "Finishes or rolls back the interrupted swaps and reloads of a data directory.",
    description =
        "Finishes or rolls back interrupted swaps and reloads in a data directory: restores .segment.bak copies, deletes .segment.tmp copies and staging directories, and prints each.")
final class RecoverCommand implements Callable<Integer> {

  /** Only the directory: recovery reads nothing from a store and decrypts nothing. */
  @picocli.CommandLine.Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "The server's data directory.")
  java.nio.file.Path dataDir;

  @Mixin OutputOptions output;

  record Recovered(List<Action> actions) implements OutputOptions.Summary {
    record Action(String path, String action) {}

    @Override
    public String text() {
      return actions.isEmpty()
          ? "nothing to recover"
          : actions.stream()
              .map(a -> a.action() + ": " + a.path())
              .collect(Collectors.joining(System.lineSeparator()));
    }
  }

  @Override
  public Integer call() {
    if (!java.nio.file.Files.isDirectory(dataDir)) {
      // Not "nothing to recover": a mistyped path would otherwise look like a clean directory.
      throw new InvalidRequestException(
          null, "data directory " + dataDir.toAbsolutePath() + " does not exist");
    }
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir, "recover");
        TransferRuntime runtime =
            new TransferRuntime(
                TransferRuntime.CLI_THREADS,
                io.segmenttransfer.core.runtime.RuntimeConfig.defaults(),
                io.segmenttransfer.core.crypto.CrypterRegistry.fromConfig(
                    io.segmenttransfer.core.crypto.CrypterConfig.defaults()),
                List.of())) {
      List<RecoveryAction> actions =
          runtime
              .dataDirectory(
                  dataDir,
                  DataDirectoryConfig.defaults(),
                  PeerFinder.NONE,
                  null,
                  TransferListener.NONE)
              .recover()
              .block(SegmentCommandOptions.LIMIT);
      output.print(
          new Recovered(
              actions.stream()
                  .map(a -> new Recovered.Action(a.path().toString(), a.action()))
                  .toList()));
      return 0;
    }
  }
}
