package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.DataDirectoryLock;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.DownloadConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that work on a data directory from a metadata file. */
final class SegmentCommandOptions {

  /** The longest a one-shot command waits: the download deadline, plus time to verify and swap. */
  static final java.time.Duration LIMIT = DownloadConfig.DEFAULT_DEADLINE.plusMinutes(5);

  @Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "The server's data directory.")
  Path dataDir;

  @Option(
      names = "--keyset",
      paramLabel = "FILE",
      description = "Tink keyset (JSON) for TinkStreamingAeadCrypter.")
  Path keyset;

  CrypterRegistry crypters() {
    return crypters(keyset);
  }

  /** The crypters {@code --keyset} gives; a keyset file that cannot be used is bad input. */
  static CrypterRegistry crypters(Path keyset) {
    try {
      return CrypterRegistry.fromConfig(
          keyset == null ? CrypterConfig.defaults() : CrypterConfig.tink(keyset));
    } catch (CrypterException e) {
      throw new InvalidRequestException(null, "--keyset " + keyset + ": " + e.getMessage(), e);
    }
  }

  @Mixin StoreOptions storeOptions;

  /** The command's TLS trust, client certificate and credentials (checked now). */
  io.segmenttransfer.http.tls.ClientSecurity clientSecurity() {
    return storeOptions.http.security.toClientSecurity();
  }

  /**
   * Takes {@code --data-dir} for this command: refused (exit 1, naming the holder) while a server
   * or another command works on it.
   */
  DataDirectoryLock lock(String command) {
    return DataDirectoryLock.acquire(dataDir, command);
  }

  /** A runtime able to read the given locations (file, s3, http). */
  TransferRuntime runtime(Collection<URI> locations) {
    return new TransferRuntime(
        TransferRuntime.CLI_THREADS,
        RuntimeConfig.defaults(),
        crypters(),
        storeOptions.storesFor(locations));
  }

  /** The deep-store location of a metadata record, when it has one. */
  static List<URI> locations(SegmentMetadata metadata) {
    return metadata
        .downloadUrl()
        .filter(url -> !url.isBlank())
        .map(SegmentStores::toUri)
        .map(List::of)
        .orElse(List.of());
  }

  /**
   * Reads a metadata file: Pinot's metadata keys plus {@code tableNameWithType} and {@code
   * segmentName}.
   */
  static SegmentMetadata readMetadata(Path file) {
    try {
      return SegmentMetadataJson.parse(Files.readString(file));
    } catch (IOException e) {
      throw new InvalidRequestException(
          null, "cannot read metadata file " + file + ": " + e.getMessage(), e);
    }
  }
}
