package io.segmenttransfer.core.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.testing.TestArchives;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * A peers-only download (a segment committed while its upload still runs) waits for a first ONLINE
 * peer up to {@link DownloadConfig#peerWaitTimeout()}, past the usual peer rounds.
 */
class PeerWaitTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final SegmentId SEGMENT =
      SegmentId.of("events_REALTIME", "events__0__7__20261206T1200Z");

  /** Two rounds, 1 s then doubling up to 4 s, no jitter: the waits are exact. */
  private static final RetryPolicy TWO_ROUNDS =
      new RetryPolicy(2, Duration.ofSeconds(1), 2, Duration.ofSeconds(4), 0);

  private static final URI PEER = URI.create("file:///peer/segment.tar.gz");

  private static Scheduler scheduler;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 100, "peer-wait-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  private static SourceChain chain(List<URI> deepStore, PeerFinder peers, Duration peerWait) {
    return new SourceChain(
        SEGMENT,
        deepStore,
        new SegmentStores(List.of(new LocalFileSegmentStore(scheduler))),
        peers,
        DownloadConfig.defaults()
            .withRetries(TWO_ROUNDS, TWO_ROUNDS)
            .withPeerWaitTimeout(peerWait));
  }

  /** No peer for the first {@code emptyLookups} lookups, then one. */
  private static PeerFinder lateOnline(AtomicInteger lookups, int emptyLookups) {
    return segment ->
        Mono.fromCallable(
            () -> lookups.incrementAndGet() <= emptyLookups ? List.<URI>of() : List.of(PEER));
  }

  @Test
  void keepsLookingPastTheRoundsUntilAPeerIsOnline() {
    AtomicInteger lookups = new AtomicInteger();

    // Rounds at 0, 1, 3, 7, 11, 15 s find nobody; the one at 19 s finds the peer.
    StepVerifier.withVirtualTime(
            () -> chain(List.of(), lateOnline(lookups, 6), Duration.ofMinutes(1)).next())
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(18_999))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(candidate -> assertThat(candidate.uri()).isEqualTo(PEER))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(lookups).hasValue(7);
  }

  @Test
  void givesUpOnceThePeerWaitHasPassed() {
    AtomicInteger lookups = new AtomicInteger();

    // Rounds at 0, 1, 3, 7 s, then 11 s: past the 10 s wait, so no further round.
    StepVerifier.withVirtualTime(
            () ->
                chain(List.of(), lateOnline(lookups, Integer.MAX_VALUE), Duration.ofSeconds(10))
                    .next())
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(10_999))
        .thenAwait(Duration.ofMillis(1))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourcesExhaustedException.class)
                    .hasMessageContaining("no ONLINE peer"))
        .verify(TIMEOUT);
    assertThat(lookups).hasValue(5);
  }

  @Test
  void aSegmentWithADeepStoreUrlDoesNotWaitForPeers() {
    URI deep = URI.create("file:///nowhere/segment.tar.gz");
    AtomicInteger lookups = new AtomicInteger();
    SourceChain chain =
        chain(List.of(deep), lateOnline(lookups, Integer.MAX_VALUE), Duration.ofMinutes(5));
    SourceChain.Candidate first = chain.next().block(TIMEOUT);
    chain.failed(first, 0, new SourceNotFoundException(deep, "gone"), true);

    // Pinot's rounds only: at 0 and 1 s, then the error.
    StepVerifier.withVirtualTime(chain::next)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(999))
        .thenAwait(Duration.ofMillis(1))
        .expectError(SourcesExhaustedException.class)
        .verify(TIMEOUT);
    assertThat(lookups).hasValue(2);
  }

  @Test
  void aDownloadSucceedsFromAPeerThatComesOnlineLate(@TempDir Path root) throws Exception {
    Map<String, byte[]> files = TestArchives.randomSegment(new Random(7), 3, 50_000);
    Path peerArchive = Files.createDirectories(root.resolve("peer")).resolve("segment.tar.gz");
    Files.write(peerArchive, TestArchives.archive(Codec.GZIP, SEGMENT.segmentName(), files));
    AtomicInteger lookups = new AtomicInteger();
    PeerFinder late =
        segment ->
            Mono.fromCallable(
                () ->
                    lookups.incrementAndGet() <= 6 ? List.<URI>of() : List.of(peerArchive.toUri()));
    RetryPolicy quick = new RetryPolicy(2, Duration.ofMillis(10), 2, Duration.ofMillis(40), 0);
    SegmentDownloader downloader =
        new SegmentDownloader(
            new SegmentExtractor(
                ExtractionConfig.defaults(),
                CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                scheduler),
            new SegmentStores(List.of(new LocalFileSegmentStore(scheduler))),
            late,
            DownloadConfig.defaults()
                .withRetries(quick, quick)
                .withPeerWaitTimeout(Duration.ofSeconds(20)));
    SegmentMetadata metadata =
        SegmentMetadata.of(
            SEGMENT,
            Map.of(
                SegmentMetadata.CRC,
                Long.toString(TestArchives.crcOf(files)),
                SegmentMetadata.DOWNLOAD_URL,
                SegmentMetadata.PEERS_ONLY,
                SegmentMetadata.REALTIME_STATUS,
                "DONE"));

    DownloadResult result =
        downloader.download(metadata, root.resolve("data"), TransferListener.NONE).block(TIMEOUT);

    assertThat(result.extraction().crc()).isEqualTo(TestArchives.crcOf(files));
    assertThat(lookups).hasValue(7);
    assertThat(result.failedAttempts())
        .hasSize(6)
        .allSatisfy(a -> assertThat(a.source()).isEqualTo(SourceChain.PEER_DISCOVERY));
  }
}
