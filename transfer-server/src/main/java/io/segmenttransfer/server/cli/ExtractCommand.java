package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.local.DataDirectoryLock;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.TransferListener;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code extract}: one archive through the pipeline into a data directory. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    header =
        "Extracts one segment archive into a data directory, verifying its CRC as the bytes flow.",
    description =
        "Extracts one segment archive (tar.gz, tar.zst, tar.lz4 or tar, detected from its bytes) from a file, s3:// or http(s):// location into <dataDir>/<table>/<segment>, verifying the segment CRC as the bytes flow. Remote reads are retried with backoff and resume at the byte already consumed.")
final class ExtractCommand implements Callable<Integer> {

  @Option(
      names = "--archive",
      required = true,
      paramLabel = "FILE|URI",
      description = "The archive: a path, file://, s3://bucket/key or http(s):// URL.")
  String archive;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "DATA_DIR",
      description = "The server's data directory.")
  Path dataDir;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "TABLE",
      description = "Table name with type, e.g. events_OFFLINE.")
  String table;

  @Option(
      names = "--segment",
      paramLabel = "NAME",
      description = "Segment name (default: the archive's top-level directory).")
  String segment;

  @Option(
      names = "--expect-crc",
      paramLabel = "CRC",
      description = "Fail unless the segment CRC equals this.")
  Long expectedCrc;

  @Option(
      names = "--crypter",
      paramLabel = "NAME",
      description = "Crypter the archive was encrypted with (default: none).")
  String crypter;

  @Option(
      names = "--keyset",
      paramLabel = "FILE",
      description = "Tink keyset (JSON) for TinkStreamingAeadCrypter.")
  Path keyset;

  @Mixin StoreOptions storeOptions;

  @Mixin OutputOptions output;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    ExtractionRequest request =
        ExtractionRequest.of(dataDir.toAbsolutePath(), TableNameWithType.parse(table))
            .withCrypter(crypter);
    if (segment != null) {
      request = request.withSegmentName(segment);
    }
    if (expectedCrc != null) {
      request = request.withExpectedCrc(expectedCrc);
    }
    URI uri = SegmentStores.toUri(archive);
    if ("file".equalsIgnoreCase(uri.getScheme()) && !Files.isRegularFile(Path.of(uri))) {
      throw new InvalidRequestException(
          null,
          "archive file "
              + Path.of(uri)
              + (Files.isDirectory(Path.of(uri)) ? " is a directory" : " does not exist"));
    }
    CrypterRegistry crypters = SegmentCommandOptions.crypters(keyset);
    try {
      crypters.resolve(crypter);
    } catch (CrypterException e) {
      // A name given on the command line: bad input (exit 2), not a failed transfer.
      throw new InvalidRequestException(null, "--crypter: " + e.getMessage(), e);
    }
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir, "extract");
        Interruption interrupted =
            Interruption.exiting(
                spec.commandLine().getErr(), Interruption.dataDirectoryLeft(dataDir));
        TransferRuntime runtime =
            new TransferRuntime(
                TransferRuntime.CLI_THREADS,
                RuntimeConfig.defaults(),
                crypters,
                storeOptions.storesFor(List.of(uri)))) {
      DownloadResult result =
          runtime
              .downloader(PeerFinder.NONE)
              .download(request, List.of(uri), TransferListener.NONE)
              .block(SegmentCommandOptions.LIMIT);
      output.print(ExtractionSummary.of(result));
      return 0;
    }
  }
}
