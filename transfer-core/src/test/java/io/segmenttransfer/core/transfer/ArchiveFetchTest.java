package io.segmenttransfer.core.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@link SegmentDownloader#fetchArchive}: an archive copied as it is, resumed, never partial. */
class ArchiveFetchTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_7");
  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(5), 2, Duration.ofMillis(20), 0);

  private static Scheduler scheduler;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "archive-fetch-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  private SegmentDownloader downloader(FaultyStore store) {
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    return new SegmentDownloader(
        extractor,
        new SegmentStores(List.of(store)),
        PeerFinder.NONE,
        DownloadConfig.defaults().withRetries(FAST, FAST));
  }

  private FaultyStore store(int failingReads, long failAfterBytes) {
    return new FaultyStore(
        new LocalFileSegmentStore(scheduler, 32 * 1024), failingReads, failAfterBytes, null);
  }

  private URI source(String name, byte[] bytes) throws IOException {
    Path file = root.resolve("sources").resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return file.toUri();
  }

  private static byte[] random(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void resumesAtTheByteAlreadyWritten() throws IOException {
    byte[] archive = random(1, 500_000);
    URI uri = source("a.tar.gz", archive);
    FaultyStore store = store(2, 100_000);
    Path dest = root.resolve("out/a.tar.gz");

    ArchiveFetchResult result =
        downloader(store)
            .fetchArchive(SEGMENT, List.of(uri), false, dest, scheduler, TransferListener.NONE)
            .block(TIMEOUT);

    assertThat(dest).hasBinaryContent(archive);
    assertThat(result.attempts()).isEqualTo(3);
    assertThat(result.size()).isEqualTo(archive.length);
    // Each retry read from where the file ended, never from 0 again.
    assertThat(store.readOffsets()).containsExactly(0L, 100_000L, 200_000L);
    assertThat(siblings(dest)).containsExactly("a.tar.gz");
  }

  @Test
  void startsOverWhenTheNextSourceServesOtherBytes() throws IOException {
    byte[] first = random(1, 1_000_000);
    byte[] second = random(2, 250_000);
    URI a = source("a.tar.gz", first);
    URI b = source("b.tar.gz", second);
    // Every read of a fails after 100 kB, so the fetch moves on to b, whose bytes differ.
    FaultyStore store = store(3, 100_000);
    Path dest = root.resolve("out/x.tar.gz");

    downloader(store)
        .fetchArchive(SEGMENT, List.of(a, b), false, dest, scheduler, TransferListener.NONE)
        .block(TIMEOUT);

    assertThat(dest).hasBinaryContent(second);
  }

  @Test
  void leavesNothingWhenEverySourceFails() throws IOException {
    URI uri = source("a.tar.gz", random(1, 300_000));
    Path dest = root.resolve("out/a.tar.gz");
    Files.createDirectories(dest.getParent());
    Files.writeString(dest, "previous copy");

    StepVerifier.create(
            downloader(store(10, 50_000))
                .fetchArchive(SEGMENT, List.of(uri), false, dest, scheduler, TransferListener.NONE))
        .expectError(SourcesExhaustedException.class)
        .verify(TIMEOUT);

    assertThat(dest).hasContent("previous copy");
    assertThat(siblings(dest)).containsExactly("a.tar.gz");
  }

  private static List<String> siblings(Path file) throws IOException {
    try (Stream<Path> list = Files.list(file.getParent())) {
      return list.map(p -> p.getFileName().toString()).toList();
    }
  }
}
