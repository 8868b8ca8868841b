package io.segmenttransfer.s3;

import static io.segmenttransfer.s3.S3TestServer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.TransferEvent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The downloader on S3: it takes the object's size and ETag from the first ranged GET (no HEAD
 * before the first byte), and when it must resume after a failure the store did not overcome, it
 * resumes at the byte it reached on the version that first GET told.
 */
class S3DownloadTest {

  private static final int PART = 64 * 1024;

  private static Scheduler scheduler;
  private static PinotFixtures.Archive archive;
  private static URI uri;
  private static String etag;

  private FaultProxy proxy;
  private S3SegmentStore store;

  @BeforeAll
  static void putArchive() {
    scheduler = Schedulers.newBoundedElastic(4, 64, "s3-download");
    archive = PinotFixtures.archive("tar.gz");
    uri = S3TestServer.newUri("download.tar.gz");
    S3TestServer.shared().put(uri, PinotFixtures.bytes(archive));
    etag = S3TestServer.shared().direct().stat(uri).block(TIMEOUT).version();
  }

  @AfterAll
  static void stopScheduler() {
    scheduler.dispose();
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  /**
   * A store through the fault proxy that does not retry itself: its failures reach the download.
   */
  private SegmentDownloader downloader() {
    proxy = new FaultProxy(S3TestServer.shared().endpoint());
    store =
        S3SegmentStore.create(
            S3TestServer.config(proxy.endpoint())
                .withReadParts(PART, 4)
                .withRetry(1, Duration.ofMillis(20), Duration.ofMillis(200)));
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    return new SegmentDownloader(
        extractor, new SegmentStores(List.of(store)), PeerFinder.NONE, DownloadConfig.defaults());
  }

  private DownloadResult download(
      SegmentDownloader downloader, Path dataDir, List<TransferEvent> events) {
    ExtractionRequest request =
        ExtractionRequest.of(dataDir, TableNameWithType.parse(PinotFixtures.TABLE))
            .withSegmentName(archive.segmentName())
            .withExpectedCrc(archive.crc());
    return downloader.download(request, List.of(uri), events::add).block(TIMEOUT);
  }

  @Test
  void aDownloadSendsNoHeadAndReportsTheSizeTheFirstGetTold(@TempDir Path dataDir) {
    SegmentDownloader downloader = downloader();
    List<TransferEvent> events = new CopyOnWriteArrayList<>();

    DownloadResult result = download(downloader, dataDir, events);

    assertThat(result.extraction().crc()).isEqualTo(archive.crc());
    assertThat(proxy.requests()).extracting(FaultProxy.Request::method).containsOnly("GET");
    assertThat(proxy.gets()).hasSize((int) ((archive.size() + PART - 1) / PART));
    assertThat(proxy.gets().subList(1, proxy.gets().size()))
        .allSatisfy(r -> assertThat(r.ifMatch()).isEqualTo(etag));
    List<TransferEvent.Progress> progress =
        events.stream()
            .filter(TransferEvent.Progress.class::isInstance)
            .map(TransferEvent.Progress.class::cast)
            .toList();
    assertThat(progress).isNotEmpty();
    assertThat(progress).allSatisfy(p -> assertThat(p.bytesTotal()).isEqualTo(archive.size()));
    assertThat(progress.get(progress.size() - 1).bytesDone()).isEqualTo(archive.size());
  }

  @Test
  void aDownloadResumedAfterAFailureKeepsTheVersionOfTheFirstGet(@TempDir Path dataDir) {
    SegmentDownloader downloader = downloader();
    // The third GET (the third part) is reset once, 10 000 bytes into its body: the store does not
    // retry, so the download's next attempt checks the version (its only HEAD) and resumes.
    proxy.rule(r -> r.number() == 3 ? new FaultProxy.ResetAfter(10_000) : FaultProxy.PASS);
    List<TransferEvent> events = new CopyOnWriteArrayList<>();

    DownloadResult result = download(downloader, dataDir, events);

    assertThat(result.extraction().crc()).isEqualTo(archive.crc());
    assertThat(result.failedAttempts()).hasSize(1);
    List<FaultProxy.Request> requests = proxy.requests();
    assertThat(requests.get(0).method()).isEqualTo("GET");
    List<FaultProxy.Request> heads =
        requests.stream().filter(r -> r.method().equals("HEAD")).toList();
    assertThat(heads).hasSize(1);
    // After the version check, the resumed read starts past byte 0, pinned to the first GET's ETag.
    FaultProxy.Request resumed = requests.get(heads.get(0).number());
    assertThat(resumed.method()).isEqualTo("GET");
    assertThat(resumed.rangeStart()).isGreaterThan(0);
    assertThat(resumed.ifMatch()).isEqualTo(etag);
  }
}
