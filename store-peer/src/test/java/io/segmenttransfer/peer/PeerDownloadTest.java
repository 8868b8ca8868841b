package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.testing.BlockingCalls;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.TransferEvent;
import io.segmenttransfer.core.transfer.TransferListener;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;

/**
 * The core's downloader over real HTTP on loopback: peers serving Pinot fixture segments, a fake
 * controller with the external view, and an HTTP origin as a failing deep store. BlockHound and
 * paranoid Netty leak detection watch every test (the core test-jar's TestGuards).
 */
class PeerDownloadTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final PinotFixtures.Archive FIXTURE = PinotFixtures.archive("tar.gz");
  private static final String SEGMENT = FIXTURE.segmentName();
  private static final SegmentId ID = SegmentId.of(TestPeer.TABLE, SEGMENT);

  private static Scheduler scheduler;
  private static HttpSegmentStore store;

  @TempDir Path root;
  private FakeController controller;
  private TestOrigin origin;
  private final List<TestPeer> peers = new ArrayList<>();
  private final List<TransferEvent> events = new CopyOnWriteArrayList<>();
  private final List<Long> eventNanos = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "transfer-io");
    store =
        HttpSegmentStore.create(
            HttpStoreConfig.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10)));
  }

  @AfterAll
  static void stop() {
    store.close();
    scheduler.dispose();
  }

  @BeforeEach
  void setUp() {
    controller = new FakeController();
    origin = new TestOrigin();
  }

  @AfterEach
  void tearDown() {
    peers.forEach(TestPeer::close);
    controller.close();
    origin.close();
  }

  private TestPeer peer(String name, String... segments) {
    TestPeer peer = new TestPeer(root, name, scheduler, UnaryOperator.identity(), segments);
    peers.add(peer);
    controller.instance(peer.instanceId, "127.0.0.1", peer.adminPort());
    return peer;
  }

  private void view(Map<String, String> states) {
    controller.view(read -> FakeController.offlineView(SEGMENT, states));
  }

  private PeerFinder finder() {
    return new ExternalViewPeerFinder(
        HttpClient.create(), PeerDiscoveryConfig.of(controller.uri(), "Server_self_1"));
  }

  private DownloadResult download(String downloadUrl, PeerFinder finder) {
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    SegmentStores stores = new SegmentStores(List.of(store, new LocalFileSegmentStore(scheduler)));
    DownloadConfig config =
        DownloadConfig.defaults()
            .withRetries(
                new RetryPolicy(3, Duration.ofMillis(20), 2, Duration.ofMillis(200), 0.1),
                new RetryPolicy(4, Duration.ofMillis(50), 2, Duration.ofMillis(400), 0.1))
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(50))
            // Pinot's rounds only: these tests count them (the first-peer wait has its own test in
            // core).
            .withPeerWaitTimeout(Duration.ZERO);
    SegmentMetadata metadata =
        SegmentMetadata.of(
            ID,
            Map.of(
                SegmentMetadata.CRC,
                Long.toString(FIXTURE.crc()),
                SegmentMetadata.DOWNLOAD_URL,
                downloadUrl));
    TransferListener listener =
        event -> {
          events.add(event);
          eventNanos.add(System.nanoTime());
        };
    return new SegmentDownloader(extractor, stores, finder, config)
        .download(metadata, root.resolve("target"), listener)
        .block(TIMEOUT);
  }

  private void assertSegmentInPlace() {
    Map<String, String> expected = new TreeMap<>();
    FIXTURE.files().forEach((path, file) -> expected.put(path, file.sha256()));
    Map<String, String> files =
        new TreeMap<>(
            DirectorySnapshot.of(root.resolve("target").resolve(TestPeer.TABLE).resolve(SEGMENT)));
    files.values().removeIf("dir"::equals);
    assertThat(files).isEqualTo(expected);
  }

  @Test
  void downloadsFromAPeerWhenThereIsNoDeepStoreCopy() {
    TestPeer a = peer("a", SEGMENT);
    TestPeer b = peer("b", SEGMENT);
    view(Map.of(a.instanceId, "ONLINE", b.instanceId, "ONLINE"));

    DownloadResult result = download(SegmentMetadata.PEERS_ONLY, finder());

    assertSegmentInPlace();
    assertThat(result.failedAttempts()).isEmpty();
    assertThat(result.restarts()).isZero();
    assertThat(result.bytesBySource()).hasSize(1);
    URI source = result.bytesBySource().keySet().iterator().next();
    assertThat(source).isIn(a.segmentUri(SEGMENT), b.segmentUri(SEGMENT));
  }

  @Test
  void fallsBackToPeersWhenTheDeepStoreFails() {
    TestPeer a = peer("a", SEGMENT);
    view(Map.of(a.instanceId, "ONLINE"));
    String path = "/deepstore/" + SEGMENT + ".tar.gz";
    origin.put(path, PinotFixtures.bytes(FIXTURE));
    origin.failAlways(path, TestOrigin.Fault.status(500));

    DownloadResult result = download(origin.uri(path).toString(), finder());

    assertSegmentInPlace();
    assertThat(result.failedAttempts())
        .hasSize(3)
        .allSatisfy(
            attempt -> {
              assertThat(attempt.source()).isEqualTo(origin.uri(path));
              assertThat(attempt.cause()).isInstanceOf(SourceUnavailableException.class);
            });
    assertThat(result.bytesBySource()).containsOnlyKeys(a.segmentUri(SEGMENT));
  }

  @Test
  void aPeerThatDiesMidBodyIsResumedFromAnotherPeerWithoutRestarting() {
    TestPeer a = peer("a", SEGMENT);
    TestPeer b = peer("b", SEGMENT);
    view(Map.of(a.instanceId, "ONLINE", b.instanceId, "ONLINE"));
    a.dieAfter(200_000);
    // The finder shuffles; put the dying peer first so the test always exercises the resume.
    PeerFinder dyingFirst =
        segment ->
            finder()
                .findPeers(segment)
                .map(
                    found ->
                        found.stream()
                            .sorted(
                                Comparator.comparing((URI uri) -> uri.getPort() != a.adminPort()))
                            .toList());

    DownloadResult result = download(SegmentMetadata.PEERS_ONLY, dyingFirst);

    assertSegmentInPlace();
    assertThat(a.isDisposed()).isTrue();
    assertThat(result.restarts()).isZero();
    long fromA = result.bytesBySource().get(a.segmentUri(SEGMENT));
    long fromB = result.bytesBySource().get(b.segmentUri(SEGMENT));
    assertThat(fromA).isBetween(150_000L, 200_000L);
    long archiveSize = store.stat(b.segmentUri(SEGMENT)).block(TIMEOUT).size();
    assertThat(fromA + fromB).as("no byte fetched twice").isEqualTo(archiveSize);
    assertThat(b.gets())
        .singleElement()
        .satisfies(
            get -> {
              assertThat(get.range()).isEqualTo("bytes=" + fromA + "-");
              // HttpSegmentStore asks peers for zstd, and pins that archive's version.
              assertThat(get.ifMatch()).isEqualTo("\"" + FIXTURE.crc() + "-zstd1-v2\"");
            });
    assertThat(result.failedAttempts())
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.source()).isEqualTo(a.segmentUri(SEGMENT));
              assertThat(attempt.offset()).as("failed after this many bytes").isEqualTo(fromA);
              assertThat(attempt.cause()).isInstanceOf(SourceUnavailableException.class);
            });
    assertThat(events)
        .filteredOn(TransferEvent.AttemptStarted.class::isInstance)
        .map(e -> ((TransferEvent.AttemptStarted) e).offset())
        .containsExactly(0L, fromA);
  }

  @Test
  void replicasThatAreNotOnlineAreNeverUsed() {
    TestPeer a = peer("a", SEGMENT);
    TestPeer b = peer("b", SEGMENT);
    view(Map.of(a.instanceId, "CONSUMING", b.instanceId, "OFFLINE"));

    assertThatThrownBy(() -> download(SegmentMetadata.PEERS_ONLY, finder()))
        .isInstanceOfSatisfying(
            SourcesExhaustedException.class,
            e ->
                assertThat(e.attempts())
                    .hasSize(4)
                    .allSatisfy(
                        attempt ->
                            assertThat(attempt.cause())
                                .isInstanceOf(SourceNotFoundException.class)));
    assertThat(a.seen()).isEmpty();
    assertThat(b.seen()).isEmpty();
    assertThat(controller.viewReads()).isEqualTo(4);
    assertThat(root.resolve("target").resolve(TestPeer.TABLE).resolve(SEGMENT)).doesNotExist();
  }

  @Test
  void aViewThatConvergesLateIsReadAgainEachRound() {
    TestPeer a = peer("a", SEGMENT);
    controller.view(
        read ->
            FakeController.offlineView(
                SEGMENT, Map.of(a.instanceId, read <= 2 ? "CONSUMING" : "ONLINE")));

    DownloadResult result = download(SegmentMetadata.PEERS_ONLY, finder());

    assertSegmentInPlace();
    assertThat(controller.viewReads()).isEqualTo(3);
    assertThat(result.failedAttempts())
        .hasSize(2)
        .allSatisfy(
            attempt -> assertThat(attempt.cause()).isInstanceOf(SourceNotFoundException.class));
    assertThat(result.bytesBySource()).containsOnlyKeys(a.segmentUri(SEGMENT));
  }

  /**
   * A controller download cut mid-body: the first attempt was one GET (no HEAD, no If-Match); the
   * retry checks the version with a HEAD and asks for the rest, pinned to the ETag that GET gave.
   */
  @Test
  void aDownloadCutMidBodyResumesOnTheVersionItsFirstGetGave() {
    String path = "/deepstore/" + SEGMENT + ".tar.gz";
    byte[] archive = PinotFixtures.bytes(FIXTURE);
    origin.put(path, archive);
    origin.fail(path, TestOrigin.Fault.cutAfter(200_000));

    DownloadResult result = download(origin.uri(path).toString(), PeerFinder.NONE);

    assertSegmentInPlace();
    assertThat(result.restarts()).isZero();
    assertThat(result.bytesFetched()).as("no byte fetched twice").isEqualTo(archive.length);
    assertThat(origin.seen())
        .extracting(TestOrigin.Seen::method, TestOrigin.Seen::ifMatch)
        .containsExactly(
            tuple("GET", null),
            tuple("HEAD", null),
            tuple("GET", "\"" + TestOrigin.etag(archive) + "\""));
    assertThat(origin.seen().get(0).range()).isNull();
    assertThat(origin.seen().get(2).range()).matches("bytes=[1-9][0-9]*-");
  }

  /** Without an ETag nothing proves a retry would read the same bytes: it restarts from byte 0. */
  @Test
  void aDownloadCutMidBodyFromASourceWithoutETagRestarts() {
    String path = "/deepstore/" + SEGMENT + ".tar.gz";
    origin.withoutETags();
    origin.put(path, PinotFixtures.bytes(FIXTURE));
    origin.fail(path, TestOrigin.Fault.cutAfter(200_000));

    DownloadResult result = download(origin.uri(path).toString(), PeerFinder.NONE);

    assertSegmentInPlace();
    assertThat(result.restarts()).isEqualTo(1);
    assertThat(origin.seen())
        .extracting(TestOrigin.Seen::method, TestOrigin.Seen::range)
        .containsExactly(tuple("GET", null), tuple("HEAD", null), tuple("GET", null));
  }

  @Test
  void a503RetryAfterIsWaitedOut() {
    // The origin plays a busy peer: registered as an instance whose admin port is the origin's.
    String path = "/segments/" + TestPeer.TABLE + "/" + SEGMENT;
    origin.put(path, PinotFixtures.bytes(FIXTURE));
    origin.fail(path, TestOrigin.Fault.status(503, "Retry-After", "1"));
    controller.instance("Server_busy_1", "127.0.0.1", origin.port());
    view(Map.of("Server_busy_1", "ONLINE"));

    DownloadResult result = download(SegmentMetadata.PEERS_ONLY, finder());

    assertSegmentInPlace();
    assertThat(result.failedAttempts())
        .singleElement()
        .satisfies(
            attempt ->
                assertThat(((SourceUnavailableException) attempt.cause()).retryAfter())
                    .contains(Duration.ofSeconds(1)));
    int failed = indexOf(TransferEvent.AttemptFailed.class, 0);
    int retried = indexOf(TransferEvent.AttemptStarted.class, failed);
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(eventNanos.get(retried) - eventNanos.get(failed));
    assertThat(waitedMs)
        .as("waited for Retry-After rather than the 100 ms backoff")
        .isGreaterThanOrEqualTo(950);
  }

  @Test
  void whenEverySourceFailsEveryAttemptIsReported() {
    TestPeer a = peer("a");
    view(Map.of(a.instanceId, "ONLINE"));
    String path = "/deepstore/" + SEGMENT + ".tar.gz";
    origin.failAlways(path, TestOrigin.Fault.status(500));

    assertThatThrownBy(() -> download(origin.uri(path).toString(), finder()))
        .isInstanceOfSatisfying(
            SourcesExhaustedException.class,
            e -> {
              assertThat(e.attempts()).hasSize(3 + 4);
              assertThat(e.attempts().subList(0, 3))
                  .allSatisfy(
                      attempt -> {
                        assertThat(attempt.source()).isEqualTo(origin.uri(path));
                        assertThat(attempt.cause()).isInstanceOf(SourceUnavailableException.class);
                      });
              assertThat(e.attempts().subList(3, 7))
                  .allSatisfy(
                      attempt -> {
                        assertThat(attempt.source()).isEqualTo(a.segmentUri(SEGMENT));
                        assertThat(attempt.cause()).isInstanceOf(SourceNotFoundException.class);
                      });
              assertThat(e.getMessage())
                  .contains(origin.uri(path).toString(), a.segmentUri(SEGMENT).toString());
            });
    assertThat(root.resolve("target").resolve(TestPeer.TABLE).resolve(SEGMENT)).doesNotExist();
  }

  @Test
  void blockHoundIsWatchingTheEventLoops() throws Exception {
    var loop = HttpResources.get().onClient(true).next();
    var blocked =
        loop.submit(
            () -> {
              Thread.sleep(1);
              return null;
            });
    assertThatThrownBy(blocked::get).hasCauseInstanceOf(BlockingOperationError.class);
    assertThat(BlockingCalls.drain()).singleElement().asString().contains("sleep");
    var parallel =
        reactor.core.publisher.Mono.fromCallable(
                () -> {
                  Thread.sleep(1);
                  return 1;
                })
            .subscribeOn(Schedulers.parallel());
    assertThatThrownBy(() -> parallel.block(TIMEOUT))
        .hasCauseInstanceOf(BlockingOperationError.class);
    BlockingCalls.drain();
  }

  private int indexOf(Class<? extends TransferEvent> type, int from) {
    for (int i = from; i < events.size(); i++) {
      if (type.isInstance(events.get(i))) {
        return i;
      }
    }
    throw new AssertionError(
        "no " + type.getSimpleName() + " after event " + from + " in " + events);
  }
}
