package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** {@code extract}: one archive through the pipeline into a data directory. */
@Command(
    name = "extract",
    mixinStandardHelpOptions = true,
    description = {
      "Extracts one segment archive (tar.gz, tar.zst, tar.lz4 or tar, detected from its bytes) into",
      "<dataDir>/<table>/<segment>, verifying the segment CRC as the bytes flow."
    })
final class ExtractCommand implements Callable<Integer> {

  @Option(names = "--archive", required = true, paramLabel = "FILE|URI", description = "The archive: a path or file:// URI.")
  String archive;

  @Option(names = "--to", required = true, paramLabel = "DATA_DIR", description = "The server's data directory.")
  Path dataDir;

  @Option(names = "--table", required = true, paramLabel = "TABLE", description = "Table name with type, e.g. events_OFFLINE.")
  String table;

  @Option(names = "--segment", paramLabel = "NAME", description = "Segment name (default: the archive's top-level directory).")
  String segment;

  @Option(names = "--expect-crc", paramLabel = "CRC", description = "Fail unless the segment CRC equals this.")
  Long expectedCrc;

  @Option(names = "--crypter", paramLabel = "NAME", description = "Crypter the archive was encrypted with (default: none).")
  String crypter;

  @Option(names = "--keyset", paramLabel = "FILE", description = "Tink keyset (JSON) for TinkStreamingAeadCrypter.")
  Path keyset;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    Scheduler scheduler = Schedulers.newBoundedElastic(4, 64, "extract");
    try {
      CrypterRegistry crypters = CrypterRegistry.fromConfig(new CrypterConfig(keyset, new byte[0]));
      ExtractionRequest request = ExtractionRequest.of(dataDir.toAbsolutePath(), TableNameWithType.parse(table))
          .withCrypter(crypter);
      if (segment != null) {
        request = request.withSegmentName(segment);
      }
      if (expectedCrc != null) {
        request = request.withExpectedCrc(expectedCrc);
      }
      URI uri = SegmentStores.toUri(archive);
      SegmentStore store = new SegmentStores(List.of(new LocalFileSegmentStore(scheduler))).forUri(uri);
      SegmentExtractor extractor = new SegmentExtractor(ExtractionConfig.defaults(), crypters, scheduler);
      ExtractionResult result = extractor.extract(store.read(uri, 0), request).block();
      output.print(ExtractionSummary.of(result));
      return 0;
    } finally {
      scheduler.dispose();
    }
  }
}
