package io.segmenttransfer.core.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class SegmentDownloaderTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_7");
  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(5), 2, Duration.ofMillis(20), 0);

  private static Scheduler scheduler;

  @TempDir Path root;
  private Map<String, byte[]> files;
  private long crc;
  private final List<TransferEvent> events = new ArrayList<>();

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "downloader-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @BeforeEach
  void setUp() {
    files = TestArchives.randomSegment(new Random(42), 4, 400_000);
    crc = TestArchives.crcOf(files);
  }

  private URI write(String name, byte[] bytes) throws IOException {
    Path file = root.resolve("sources").resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return file.toUri();
  }

  private SegmentDownloader downloader(FaultyStore store, PeerFinder peers, DownloadConfig config) {
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    return new SegmentDownloader(extractor, new SegmentStores(List.of(store)), peers, config);
  }

  private FaultyStore store(int failingReads, long failAfterBytes) {
    return new FaultyStore(
        new LocalFileSegmentStore(scheduler, 32 * 1024), failingReads, failAfterBytes, null);
  }

  private SegmentMetadata metadata(String downloadUrl) {
    return SegmentMetadata.of(
        SEGMENT,
        Map.of(SegmentMetadata.CRC, Long.toString(crc), SegmentMetadata.DOWNLOAD_URL, downloadUrl));
  }

  private DownloadResult download(SegmentDownloader downloader, SegmentMetadata metadata) {
    return downloader.download(metadata, root.resolve("data"), events::add).block(TIMEOUT);
  }

  private void assertSegmentInPlace() {
    Map<String, String> expected = new TreeMap<>();
    files.forEach((p, b) -> expected.put(p, DirectorySnapshot.sha256(b)));
    Map<String, String> actual =
        new TreeMap<>(DirectorySnapshot.of(root.resolve("data/events_OFFLINE/events_7")));
    actual.values().removeIf("dir"::equals);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void resumesAMidStreamFailureAtTheConsumedByteWithoutRestarting() throws IOException {
    byte[] archive = TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files);
    URI uri = write("deep.tar.gz", archive);
    FaultyStore store = store(2, 100_000);

    DownloadResult result =
        download(
            downloader(store, PeerFinder.NONE, DownloadConfig.defaults().withRetries(FAST, FAST)),
            metadata(uri.toString()));

    assertSegmentInPlace();
    assertThat(result.restarts()).isZero();
    assertThat(result.attempts()).isEqualTo(3);
    // Each retry asks for the bytes after those already consumed: 0, then 100 000, then 200 000.
    assertThat(store.readOffsets()).containsExactly(0L, 100_000L, 200_000L);
    assertThat(result.bytesFetched()).as("no byte fetched twice").isEqualTo(archive.length);
    assertThat(result.failedAttempts())
        .hasSize(2)
        .allSatisfy(a -> assertThat(a.cause()).isInstanceOf(SourceUnavailableException.class));
    assertThat(events)
        .filteredOn(TransferEvent.AttemptStarted.class::isInstance)
        .extracting(e -> ((TransferEvent.AttemptStarted) e).offset())
        .containsExactly(0L, 100_000L, 200_000L);
  }

  @Test
  void goesToPeersWhenTheDeepStoreHasNoCopy() throws IOException {
    URI peer =
        write("peer.tar.zst", TestArchives.archive(Codec.ZSTD, SEGMENT.segmentName(), files));
    FaultyStore store = store(0, 0);

    DownloadResult result =
        download(
            downloader(
                store,
                segment -> Mono.just(List.of(peer)),
                DownloadConfig.defaults().withRetries(FAST, FAST)),
            metadata(root.resolve("sources/missing.tar.gz").toUri().toString()));

    assertSegmentInPlace();
    assertThat(result.bytesBySource()).containsOnlyKeys(peer);
    assertThat(result.failedAttempts())
        .singleElement()
        .satisfies(a -> assertThat(a.cause()).isInstanceOf(SourceNotFoundException.class));
  }

  @Test
  void anEmptyDownloadUrlMeansPeersOnly() throws IOException {
    URI peer = write("peer.tar.gz", TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));

    DownloadResult result =
        download(
            downloader(
                store(0, 0),
                segment -> Mono.just(List.of(peer)),
                DownloadConfig.defaults().withRetries(FAST, FAST)),
            metadata(SegmentMetadata.PEERS_ONLY));

    assertSegmentInPlace();
    assertThat(result.attempts()).isEqualTo(1);
  }

  @Test
  void restartsFromByteZeroWhenTheNextSourceServesOtherBytes() throws IOException {
    URI deep = write("deep.tar.gz", TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));
    URI peer =
        write("peer.tar.zst", TestArchives.archive(Codec.ZSTD, SEGMENT.segmentName(), files));
    // Both deep-store reads break (its budget is two tries); then the peer, whose bytes differ,
    // takes over.
    FaultyStore store =
        new FaultyStore(new LocalFileSegmentStore(scheduler, 32 * 1024), 2, 60_000, null);
    RetryPolicy twice = new RetryPolicy(2, Duration.ofMillis(5), 2, Duration.ofMillis(20), 0);

    DownloadResult result =
        download(
            downloader(
                store,
                segment -> Mono.just(List.of(peer)),
                DownloadConfig.defaults().withRetries(twice, FAST)),
            metadata(deep.toString()));

    assertSegmentInPlace();
    assertThat(result.restarts()).isEqualTo(1);
    assertThat(store.readOffsets()).containsExactly(0L, 60_000L, 0L);
  }

  @Test
  void aCorruptDeepStoreCopyIsNotRetriedAndPeersServeTheSegment() throws IOException {
    byte[] good = TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files);
    byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
    URI deep = write("deep.tar.gz", truncated);
    URI peer = write("peer.tar.gz", good);
    FaultyStore store = store(0, 0);

    DownloadResult result =
        download(
            downloader(
                store,
                segment -> Mono.just(List.of(peer)),
                DownloadConfig.defaults().withRetries(FAST, FAST)),
            metadata(deep.toString()));

    assertSegmentInPlace();
    assertThat(result.failedAttempts())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.source()).isEqualTo(deep);
              assertThat(a.cause()).isInstanceOf(InvalidArchiveException.class);
            });
    assertThat(store.readOffsets()).containsExactly(0L, 0L);
  }

  @Test
  void whenEverySourceFailsTheErrorListsEveryAttempt() throws IOException {
    URI deep = write("deep.tar.gz", TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));
    FaultyStore store = store(100, 10_000);
    RetryPolicy peersTwice = new RetryPolicy(2, Duration.ofMillis(5), 2, Duration.ofMillis(20), 0);

    StepVerifier.create(
            downloader(
                    store,
                    segment -> Mono.just(List.of()),
                    DownloadConfig.defaults().withRetries(FAST, peersTwice))
                .download(metadata(deep.toString()), root.resolve("data"), TransferListener.NONE))
        .expectErrorSatisfies(
            e -> {
              assertThat(e)
                  .isInstanceOf(SourcesExhaustedException.class)
                  .hasMessageContaining(SEGMENT.segmentName());
              List<SourcesExhaustedException.Attempt> attempts =
                  ((SourcesExhaustedException) e).attempts();
              assertThat(attempts).hasSize(5);
              assertThat(attempts.subList(0, 3))
                  .allSatisfy(a -> assertThat(a.source()).isEqualTo(deep));
              assertThat(attempts.subList(3, 5))
                  .allSatisfy(a -> assertThat(a.cause()).hasMessageContaining("no ONLINE peer"));
              // Told once per way it failed, with the source and the count, no class names.
              assertThat(e.getMessage())
                  .contains("every source failed: " + deep, "connection reset by test")
                  .contains("attempts)")
                  .doesNotContain("Exception");
            })
        .verify(TIMEOUT);
    assertThat(root.resolve("data/events_OFFLINE/events_7")).doesNotExist();
  }

  @Test
  void waitsForTheRetryAfterASourceAsksFor() {
    URI uri = URI.create("file:///nowhere");
    SourceChain chain =
        new SourceChain(
            SEGMENT,
            List.of(uri),
            new SegmentStores(List.of(store(0, 0))),
            PeerFinder.NONE,
            DownloadConfig.defaults().withRetries(FAST, FAST));
    SourceChain.Candidate first = chain.next().block(TIMEOUT);
    chain.failed(
        first,
        0,
        new SourceUnavailableException(uri, "503 SlowDown", null, Duration.ofSeconds(30)),
        true);

    StepVerifier.withVirtualTime(chain::next)
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(29))
        .thenAwait(Duration.ofSeconds(1))
        .assertNext(next -> assertThat(next.attempt()).isEqualTo(2))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void peerRoundsBackOffAndReReadTheView() {
    List<Integer> lookups = new ArrayList<>();
    PeerFinder finder =
        segment ->
            Mono.fromCallable(
                () -> {
                  lookups.add(lookups.size() + 1);
                  return lookups.size() < 3 ? List.<URI>of() : List.of(URI.create("file:///peer"));
                });
    RetryPolicy peers = new RetryPolicy(5, Duration.ofSeconds(1), 2, Duration.ofSeconds(10), 0);
    SourceChain chain =
        new SourceChain(
            SEGMENT,
            List.of(),
            new SegmentStores(List.of(store(0, 0))),
            finder,
            DownloadConfig.defaults().withRetries(FAST, peers));

    // Round 1 at once, round 2 after 1 s, round 3 after 2 s more: the view is read each time.
    StepVerifier.withVirtualTime(chain::next)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(2999))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(candidate -> assertThat(candidate.peer()).isTrue())
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(lookups).containsExactly(1, 2, 3);
  }

  @Test
  void silenceWithoutDemandIsNotAnIdleTimeout() throws IOException {
    URI uri = write("deep.tar.gz", TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));
    DownloadConfig config =
        DownloadConfig.defaults()
            .withRetries(FAST, FAST)
            .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(30));
    SourceChain chain =
        new SourceChain(
            SEGMENT,
            List.of(uri),
            new SegmentStores(List.of(store(0, 0))),
            PeerFinder.NONE,
            config);
    ResumableRead read = new ResumableRead(SEGMENT, chain, config, TransferListener.NONE, null);

    // The consumer takes one chunk, then asks for nothing for 3 idle periods (a slow disk), then
    // the rest: the moment demand comes back must not count as the end of an idle period. The idle
    // timeout also applies while the rest streams from the local file, so it is 500 ms, not less:
    // a loaded 2-core machine can leave a file read's next chunk waiting a few hundred ms.
    StepVerifier.create(read.bytes(), 1)
        .expectNextCount(1)
        .expectNoEvent(Duration.ofMillis(1500))
        .thenRequest(Long.MAX_VALUE)
        .thenConsumeWhile(chunk -> true)
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(chain.failures()).isEmpty();
  }

  @Test
  void silenceWhileBytesAreWantedIsAnIdleTimeout() throws IOException {
    // The two chunks are read first and handed over back to back: read one at a time, the file
    // read's second chunk could itself come later than the 100 ms idle timeout on a loaded machine.
    ResumableRead read =
        readShapedBy(
            bytes ->
                bytes
                    .take(2)
                    .collectList()
                    .flatMapMany(Flux::fromIterable)
                    .concatWith(Flux.never()),
            Duration.ofSeconds(5),
            Duration.ofMillis(100));

    StepVerifier.create(read.bytes())
        .expectNextCount(2)
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourcesExhaustedException.class)
                    .hasMessageContaining("idle timeout"))
        .verify(TIMEOUT);
  }

  @Test
  void aSourceThatNeverSendsFailsAfterTheFirstByteTimeout() throws IOException {
    ResumableRead read =
        readShapedBy(bytes -> Flux.never(), Duration.ofMillis(200), Duration.ofSeconds(30));

    long start = System.nanoTime();
    StepVerifier.create(read.bytes())
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourcesExhaustedException.class)
                    .hasMessageContaining("first-byte or idle timeout"))
        .verify(TIMEOUT);
    // The first-byte allowance, not the 30 s idle one, applied before anything arrived.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void gapsLongerThanTheFirstByteTimeoutAreFineOnceBytesFlow() throws IOException {
    // The first chunk at once, each later one 1 s after the one before: twice the
    // first-byte timeout, well within the 5 s idle timeout. The first-byte timeout is 500 ms, not
    // less: the first chunk is a local file read, which a loaded 2-core machine can delay by a few
    // hundred ms, and a first chunk later than the allowance fails the read for a reason that is
    // not the one under test.
    ResumableRead read =
        readShapedBy(
            bytes ->
                bytes
                    .take(4)
                    .index()
                    .concatMap(
                        c ->
                            c.getT1() == 0
                                ? Mono.just(c.getT2())
                                : Mono.just(c.getT2()).delayElement(Duration.ofMillis(1000))),
            Duration.ofMillis(500),
            Duration.ofSeconds(5));

    StepVerifier.create(read.bytes()).expectNextCount(4).thenCancel().verify(TIMEOUT);
  }

  /**
   * A read of a gzip archive from a file store whose bytes {@code shape} delays or cuts off, with
   * one attempt and these first-byte and idle timeouts.
   */
  private ResumableRead readShapedBy(
      UnaryOperator<Flux<ByteBuffer>> shape, Duration firstByte, Duration idle) throws IOException {
    URI uri = write("deep.tar.gz", TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));
    FaultyStore shaped =
        new FaultyStore(new LocalFileSegmentStore(scheduler, 32 * 1024), 0, 0, null) {
          @Override
          public Flux<ByteBuffer> read(URI u, long offset) {
            return shape.apply(super.read(u, offset));
          }
        };
    DownloadConfig config =
        DownloadConfig.defaults()
            .withRetries(new RetryPolicy(1, Duration.ZERO, 1, Duration.ZERO, 0), FAST)
            .withTimeouts(firstByte, idle, Duration.ofSeconds(30));
    SourceChain chain =
        new SourceChain(
            SEGMENT, List.of(uri), new SegmentStores(List.of(shaped)), PeerFinder.NONE, config);
    return new ResumableRead(SEGMENT, chain, config, TransferListener.NONE, null);
  }

  @Test
  void theDeadlineBoundsTheWholeDownload() throws IOException {
    URI deep = write("deep.tar.gz", TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));
    FaultyStore slow =
        new FaultyStore(new LocalFileSegmentStore(scheduler, 32 * 1024), 0, 0, null) {
          @Override
          public Flux<ByteBuffer> read(URI uri, long offset) {
            return super.read(uri, offset).delayElements(Duration.ofMillis(100));
          }
        };
    DownloadConfig config =
        DownloadConfig.defaults()
            .withRetries(FAST, FAST)
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(300));

    StepVerifier.create(
            downloader(slow, PeerFinder.NONE, config)
                .download(metadata(deep.toString()), root.resolve("data"), TransferListener.NONE))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourcesExhaustedException.class)
                    .hasMessageContaining("longer than PT0.3S"))
        .verify(TIMEOUT);
  }
}
