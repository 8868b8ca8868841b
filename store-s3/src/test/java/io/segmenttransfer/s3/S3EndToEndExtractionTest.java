package io.segmenttransfer.s3;

import static io.segmenttransfer.s3.S3TestServer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Real Pinot 1.5 segment archives uploaded to the S3 server, then extracted through the core
 * pipeline straight from S3 (64 KiB ranged GETs, a connection reset in the middle of one part): the
 * segment CRC and every file's SHA-256 must be the manifest's.
 */
class S3EndToEndExtractionTest {

  private static Scheduler scheduler;
  private static FaultProxy proxy;
  private static S3SegmentStore store;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 64, "e2e-extract");
    proxy = new FaultProxy(S3TestServer.shared().endpoint());
    store =
        S3SegmentStore.create(
            S3TestServer.config(proxy.endpoint())
                .withReadParts(64 * 1024, 4)
                .withRetry(4, Duration.ofMillis(20), Duration.ofMillis(200)));
  }

  @AfterAll
  static void stop() {
    store.close();
    proxy.close();
    scheduler.dispose();
  }

  static Iterable<PinotFixtures.Archive> archives() {
    return PinotFixtures.archives();
  }

  @ParameterizedTest
  @MethodSource("archives")
  void extractsAPinotSegmentFromS3WithTheExpectedCrc(
      PinotFixtures.Archive archive, @TempDir Path dataDir) {
    URI uri = S3TestServer.newUri(archive.file().getFileName().toString());
    S3TestServer.shared().put(uri, PinotFixtures.bytes(archive));
    int firstRequest = proxy.requests().size() + 1;
    // The fourth GET of this read is reset 10 000 bytes into its body.
    proxy.rule(
        r -> r.number() == firstRequest + 3 ? new FaultProxy.ResetAfter(10_000) : FaultProxy.PASS);

    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    ExtractionRequest request =
        ExtractionRequest.of(dataDir, TableNameWithType.parse(PinotFixtures.TABLE))
            .withSegmentName(archive.segmentName())
            .withExpectedCrc(archive.crc());
    ExtractionResult result = extractor.extract(store.read(uri, 0), request).block(TIMEOUT);

    assertThat(result.crc()).isEqualTo(archive.crc());
    assertThat(result.archiveBytes()).isEqualTo(archive.size());
    Map<String, String> expected = new TreeMap<>();
    archive.files().values().forEach(f -> expected.put(f.path(), f.sha256()));
    Map<String, String> actual = new TreeMap<>(DirectorySnapshot.of(result.directory()));
    actual.values().removeIf("dir"::equals);
    assertThat(actual).isEqualTo(expected);
    // The reset part was fetched again (resumed), so the read made one GET more than it has parts.
    long gets =
        proxy.requests().stream()
            .skip(firstRequest - 1)
            .filter(r -> r.method().equals("GET"))
            .count();
    assertThat(gets).isEqualTo((archive.size() + 64 * 1024 - 1) / (64 * 1024) + 1);
  }
}
