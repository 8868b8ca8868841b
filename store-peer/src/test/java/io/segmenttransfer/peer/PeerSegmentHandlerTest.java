package io.segmenttransfer.peer;

import static io.segmenttransfer.core.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.core.archive.ArchiveOptions;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.peer.Answers.Answer;
import io.segmenttransfer.peer.Answers.Entry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The server side against real reactor-netty peers serving Pinot 1.5 fixture segments. */
class PeerSegmentHandlerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final List<PinotFixtures.Archive> FIXTURES =
      PinotFixtures.archives().stream().filter(a -> a.format().equals("tar.gz")).toList();
  private static final String SEGMENT = FIXTURES.get(0).segmentName();
  private static final String OTHER = FIXTURES.get(1).segmentName();

  private static Scheduler scheduler;
  private static HttpSegmentStore store;
  private final List<TestPeer> peers = new ArrayList<>();

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(8, 1000, "peer-io");
    store = HttpSegmentStore.create(HttpStoreConfig.defaults());
  }

  @AfterAll
  static void stop() {
    store.close();
    scheduler.dispose();
  }

  @AfterEach
  void closePeers() {
    peers.forEach(TestPeer::close);
  }

  private TestPeer peer(String name, UnaryOperator<PeerServeConfig> config, String... segments) {
    TestPeer peer = new TestPeer(root, name, scheduler, config, segments);
    peers.add(peer);
    return peer;
  }

  private static PinotFixtures.Archive fixture(String segment) {
    return FIXTURES.stream().filter(a -> a.segmentName().equals(segment)).findFirst().orElseThrow();
  }

  @Test
  void twoPeersServeTheSameBytesAndThoseBytesAreTheSegment() {
    TestPeer a = peer("a", c -> c, SEGMENT, OTHER);
    TestPeer b = peer("b", c -> c, SEGMENT);

    Answer fromA = Answers.get(a.segmentUri(SEGMENT), h -> {});
    Answer fromB = Answers.get(b.segmentUri(SEGMENT), h -> {});

    PinotFixtures.Archive fixture = fixture(SEGMENT);
    assertThat(fromA.status()).isEqualTo(200);
    assertThat(fromA.header(HttpHeaderNames.ETAG)).isEqualTo("\"" + fixture.crc() + "-gzip-v2\"");
    assertThat(fromA.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/octet-stream");
    assertThat(fromA.header(HttpHeaderNames.CONTENT_DISPOSITION))
        .isEqualTo("attachment; filename=\"" + SEGMENT + ".tar.gz\"");
    assertThat(fromA.header(HttpHeaderNames.TRANSFER_ENCODING)).isEqualTo("chunked");
    assertThat(fromB.body()).isEqualTo(fromA.body());
    assertThat(fromB.header(HttpHeaderNames.ETAG)).isEqualTo(fromA.header(HttpHeaderNames.ETAG));

    Map<String, Entry> entries = Answers.entries(fromA.body());
    List<String> names = new ArrayList<>(entries.keySet());
    assertThat(names.get(0)).isEqualTo(SEGMENT + "/");
    assertThat(names).isSorted();
    long creationSeconds = creationTimeMs(SEGMENT) / 1000;
    assertThat(entries.values())
        .allSatisfy(e -> assertThat(e.mtimeSeconds()).isEqualTo(creationSeconds));
    fixture
        .files()
        .forEach(
            (path, file) ->
                assertThat(entries.get(SEGMENT + "/" + path).sha256())
                    .as(path)
                    .isEqualTo(file.sha256()));
    assertThat(entries.values().stream().filter(e -> !e.sha256().equals("dir")).count())
        .isEqualTo(fixture.files().size());
  }

  @Test
  void servesZstdWhenAsked() {
    TestPeer a = peer("a", c -> c, SEGMENT);

    Answer byAccept =
        Answers.get(a.segmentUri(SEGMENT), h -> h.set(HttpHeaderNames.ACCEPT, "application/zstd"));
    Answer byQuery = Answers.get(URI.create(a.segmentUri(SEGMENT) + "?codec=zstd"), h -> {});

    assertThat(byAccept.body()).startsWith(0x28, 0xb5, 0x2f, 0xfd).isEqualTo(byQuery.body());
    assertThat(byAccept.header(HttpHeaderNames.ETAG)).endsWith("-zstd1-v2\"");
    assertThat(byAccept.header(HttpHeaderNames.VARY)).isEqualTo("Accept");
    // The bytes of our parallel layout at level 1 (what the ETag says), not at zstd's default.
    Path directory = a.dataDir.resolve(TestPeer.TABLE).resolve(SEGMENT);
    assertThat(byAccept.body())
        .isEqualTo(archive(directory, PeerSegmentHandler.options(Codec.ZSTD)))
        .isNotEqualTo(archive(directory, ArchiveOptions.defaults(Codec.ZSTD)));
    assertThat(Answers.entries(byAccept.body()).keySet())
        .isEqualTo(Answers.entries(Answers.get(a.segmentUri(SEGMENT), h -> {}).body()).keySet());
    assertThat(Answers.get(URI.create(a.segmentUri(SEGMENT) + "?codec=rar"), h -> {}).status())
        .isEqualTo(400);
  }

  /**
   * A downloader on a link faster than a peer compresses asks for the plain tar: the same entries,
   * no compression, an ETag of its own, not kept in the cache unless a download resumes, and a
   * store configured for it asks for it by itself.
   */
  @Test
  void servesThePlainTarWhenAskedAndTheStoreAsksForItWhenConfigured() {
    TestPeer a = peer("a", c -> c, SEGMENT);
    URI uri = a.segmentUri(SEGMENT);

    Answer byAccept = Answers.get(uri, h -> h.set(HttpHeaderNames.ACCEPT, Codec.NONE.mediaType()));
    Answer byQuery = Answers.get(URI.create(uri + "?codec=none"), h -> {});
    Answer gzip = Answers.get(uri, h -> {});

    assertThat(byAccept.status()).isEqualTo(200);
    assertThat(Arrays.copyOfRange(byAccept.body(), 257, 262))
        .as("ustar magic of the first header: no compression")
        .isEqualTo("ustar".getBytes(StandardCharsets.US_ASCII));
    assertThat(byAccept.body()).isEqualTo(byQuery.body());
    assertThat(byAccept.header(HttpHeaderNames.ETAG))
        .isEqualTo("\"" + fixture(SEGMENT).crc() + "-none-v2\"");
    assertThat(byAccept.header(HttpHeaderNames.CONTENT_DISPOSITION))
        .isEqualTo("attachment; filename=\"" + SEGMENT + ".tar\"");
    assertThat(Answers.entries(byAccept.body())).isEqualTo(Answers.entries(gzip.body()));

    try (HttpSegmentStore plain =
        HttpSegmentStore.create(HttpStoreConfig.defaults().withPeerCodec(Codec.NONE))) {
      AtomicReference<ObjectInfo> told = new AtomicReference<>();
      ByteBuffer read = ByteBuffer.allocate(byAccept.body().length);
      plain.readDescribed(uri, told::set).toIterable().forEach(read::put);
      assertThat(read.array()).isEqualTo(byAccept.body());
      assertThat(told.get().version()).isEqualTo(fixture(SEGMENT).crc() + "-none-v2");
      assertThat(told.get().size()).as("built on the fly: chunked, no length").isEqualTo(-1);
    }

    assertThat(a.handler.cachedBytes())
        .as("the plain tar is built again rather than kept; only the gzip archive is cached")
        .isEqualTo(gzip.body().length);

    // A resumed plain-tar download builds it into the cache first, as any codec's does.
    Answer tail =
        Answers.get(
            URI.create(uri + "?codec=none"), h -> h.set(HttpHeaderNames.RANGE, "bytes=1000-"));
    assertThat(tail.status()).isEqualTo(206);
    assertThat(tail.header(HttpHeaderNames.ETAG)).isEqualTo(byAccept.header(HttpHeaderNames.ETAG));
    assertThat(tail.body())
        .isEqualTo(Arrays.copyOfRange(byAccept.body(), 1000, byAccept.body().length));
    assertThat(a.handler.cachedBytes()).isEqualTo(gzip.body().length + byAccept.body().length);

    assertThat(store.stat(uri).block(TIMEOUT).version())
        .as("the default store asks for zstd")
        .isEqualTo(fixture(SEGMENT).crc() + "-zstd1-v2");
  }

  /**
   * {@code Accept} is read as media ranges: a codec is served only when named exactly and not
   * refused ({@code q=0}), the most preferred first; a type merely containing a codec's type, a
   * browser's, curl's or no header at all gets the default (gzip, what Pinot's peers expect). HEAD
   * answers with the ETag that names the codec without building anything.
   */
  @Test
  void acceptIsReadAsMediaRangesWithTheirQualities() {
    TestPeer a = peer("a", c -> c, SEGMENT);
    String crc = Long.toString(fixture(SEGMENT).crc());
    Map<String, String> served = new java.util.LinkedHashMap<>();
    for (String accept :
        List.of(
            HttpSegmentStore.accept(Codec.NONE),
            HttpSegmentStore.accept(Codec.ZSTD),
            HttpSegmentStore.accept(Codec.LZ4),
            HttpSegmentStore.accept(Codec.GZIP),
            "application/x-tar-gz",
            "application/x-tarball, application/zstd-dictionary",
            "application/zstd;q=0, application/x-tar; q=0",
            "application/gzip, application/x-tar;q=0.5",
            "Application/X-Tar ; Q=0.9, application/zstd;q=0.8",
            "application/zstd;q=0.1, application/x-tar;q=0.2",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "*/*")) {
      Answer head =
          Answers.exchange(
              a.segmentUri(SEGMENT), "HEAD", h -> h.set(HttpHeaderNames.ACCEPT, accept));
      assertThat(head.status()).as(accept).isEqualTo(200);
      String etag = head.header(HttpHeaderNames.ETAG);
      served.put(accept, etag.substring(crc.length() + 2, etag.length() - 4));
    }
    assertThat(served.values())
        .containsExactly(
            "none", "zstd1", "lz4", "gzip", "gzip", "gzip", "gzip", "gzip", "none", "none", "gzip",
            "gzip");

    // A header sent as several lines is one list (RFC 9110 §5.3).
    Answer twoLines =
        Answers.exchange(
            a.segmentUri(SEGMENT),
            "HEAD",
            h ->
                h.add(HttpHeaderNames.ACCEPT, "application/json")
                    .add(HttpHeaderNames.ACCEPT, "application/x-tar"));
    assertThat(twoLines.header(HttpHeaderNames.ETAG)).isEqualTo("\"" + crc + "-none-v2\"");
  }

  @Test
  void rangesAreServedFromTheCachedArchiveBuiltOnDemand() {
    TestPeer a = peer("a", c -> c, SEGMENT);
    URI uri = a.segmentUri(SEGMENT);
    assertThat(store.stat(uri).block(TIMEOUT).size())
        .as("size unknown before the archive is built")
        .isEqualTo(-1);

    // Nothing cached yet: the range request builds the archive first.
    Answer tail = Answers.get(uri, h -> h.set(HttpHeaderNames.RANGE, "bytes=100000-"));
    Answer whole = Answers.get(uri, h -> {});
    byte[] full = whole.body();

    assertThat(tail.status()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(full, 100_000, full.length));
    assertThat(tail.header(HttpHeaderNames.CONTENT_RANGE))
        .isEqualTo("bytes 100000-" + (full.length - 1) + "/" + full.length);
    assertThat(whole.header(HttpHeaderNames.CONTENT_LENGTH))
        .as("served from the cache")
        .isEqualTo("" + full.length);
    // The store asks for zstd unless told otherwise; the archive cached above is the gzip one.
    ObjectInfo info = store.stat(URI.create(uri + "?codec=gzip")).block(TIMEOUT);
    assertThat(info.size()).isEqualTo(full.length);
    assertThat(info.version()).isEqualTo(fixture(SEGMENT).crc() + "-gzip-v2");

    assertThat(
            Answers.get(uri, h -> h.set(HttpHeaderNames.RANGE, "bytes=" + full.length + "-"))
                .status())
        .isEqualTo(416);
    assertThat(
            Answers.get(
                    uri,
                    h -> {
                      h.set(HttpHeaderNames.RANGE, "bytes=5-");
                      h.set(HttpHeaderNames.IF_MATCH, "\"12345-gzip-v2\"");
                    })
                .status())
        .isEqualTo(412);
    Answer pinned =
        Answers.get(
            uri,
            h -> {
              h.set(HttpHeaderNames.RANGE, "bytes=5-");
              h.set(HttpHeaderNames.IF_MATCH, "\"" + info.version() + "\"");
            });
    assertThat(pinned.status()).isEqualTo(206);
    assertThat(pinned.body()).isEqualTo(Arrays.copyOfRange(full, 5, full.length));
  }

  /**
   * Cached archives are read into pooled direct buffers: a client that goes away mid-body, with
   * chunks read ahead and one waiting for the rate limit, leaves none of them unreleased (the test
   * guards' paranoid leak detection fails the class otherwise) and the peer serves the next request
   * whole.
   */
  @Test
  void aDownloadCancelledMidBodyReleasesTheBuffersReadAhead() {
    TestPeer unlimited = peer("a", c -> c, SEGMENT);
    TestPeer limited = peer("b", c -> c.withBytesPerSecond(1_000_000), SEGMENT);
    for (TestPeer peer : List.of(unlimited, limited)) {
      URI uri = URI.create(peer.segmentUri(SEGMENT) + "?codec=gzip");
      byte[] whole = Answers.get(uri, h -> {}).body(); // builds the cached archive

      for (int i = 0; i < 3; i++) {
        List<ByteBuffer> first = store.read(uri, 0).take(1).collectList().block(TIMEOUT);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).remaining()).isLessThan(whole.length);
      }

      await("the cancelled uploads counted done").until(() -> peer.handler.activeUploads() == 0);
      assertThat(Answers.get(uri, h -> {}).body()).isEqualTo(whole);
    }
  }

  /**
   * An archive built on the fly is compressed into pooled direct buffers: a client that goes away
   * while it is being built (chunks compressed ahead, one waiting for the rate limit, some in the
   * socket's queue) leaves none of them unreleased (the test guards' paranoid leak detection fails
   * the class otherwise), the half-built cache copy is dropped, and the next request gets the whole
   * archive, byte for byte what our writer makes at the peer's level.
   */
  @Test
  void aDownloadCancelledWhileTheArchiveIsBuiltReleasesItsBuffers() {
    TestPeer unlimited = peer("a", c -> c, SEGMENT);
    TestPeer limited = peer("b", c -> c.withBytesPerSecond(1_000_000), SEGMENT);
    Path directory = unlimited.dataDir.resolve(TestPeer.TABLE).resolve(SEGMENT);
    byte[] expected = archive(directory, PeerSegmentHandler.options(Codec.ZSTD));
    for (TestPeer peer : List.of(unlimited, limited)) {
      URI uri = URI.create(peer.segmentUri(SEGMENT) + "?codec=zstd");
      for (int i = 0; i < 3; i++) {
        List<ByteBuffer> first = store.read(uri, 0).take(1).collectList().block(TIMEOUT);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).remaining()).isLessThan(expected.length);
        await("the cancelled upload counted done").until(() -> peer.handler.activeUploads() == 0);
        // The build runs ahead of the socket (and of the rate limit), so it may have finished
        // before the client went away; a cached copy is then the whole archive, never part of one.
        assertThat(peer.handler.cachedBytes())
            .as("no half-built archive cached")
            .isIn(0L, (long) expected.length);
      }

      Answer whole = Answers.get(uri, h -> {});
      assertThat(whole.body()).isEqualTo(expected);
      await("the upload counted done").until(() -> peer.handler.activeUploads() == 0);
      assertThat(peer.handler.cachedBytes()).isEqualTo(expected.length);
    }
  }

  @Test
  void aSegmentNotHeldIsNotFound() {
    TestPeer a = peer("a", c -> c, SEGMENT);

    assertThat(Answers.get(a.segmentUri(OTHER), h -> {}).status()).isEqualTo(404);
    assertThat(Answers.exchange(a.segmentUri(OTHER), "HEAD", h -> {}).status()).isEqualTo(404);
    assertThat(
            Answers.get(
                    URI.create("http://127.0.0.1:" + a.adminPort() + "/segments/events/" + SEGMENT),
                    h -> {})
                .status())
        .as("table name without type")
        .isEqualTo(400);
  }

  @Test
  void overTheUploadLimitAnswers503WithRetryAfter() throws Exception {
    TestPeer a =
        peer(
            "a", c -> c.withMaxConcurrentUploads(1).withRetryAfter(Duration.ofSeconds(2)), SEGMENT);
    URI uri = a.segmentUri(SEGMENT);
    a.holdUploads();

    CompletableFuture<Answer> first =
        CompletableFuture.supplyAsync(() -> Answers.get(uri, h -> {}));
    await("the first upload running, held mid-stream").until(() -> a.heldUploads() == 1);
    assertThat(a.handler.activeUploads()).isEqualTo(1);
    Answer refused = Answers.get(uri, h -> {});
    a.releaseUploads();

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header(HttpHeaderNames.RETRY_AFTER)).isEqualTo("2");
    assertThat(first.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).status()).isEqualTo(200);
    // The server counts an upload done once its response ended, a moment after the client has the
    // body.
    await("the upload counted done").until(() -> a.handler.activeUploads() == 0);
    assertThat(Answers.get(uri, h -> h.set(HttpHeaderNames.RANGE, "bytes=1-")).status())
        .isEqualTo(206);
    await("the range upload counted done").until(() -> a.handler.activeUploads() == 0);
  }

  @Test
  void theCacheStaysWithinItsBound() {
    TestPeer a = peer("a", c -> c.withMaxCacheBytes(700_000), SEGMENT, OTHER);

    int first = Answers.get(a.segmentUri(SEGMENT), h -> {}).body().length;
    assertThat(a.handler.cachedBytes()).isEqualTo(first);
    int second = Answers.get(a.segmentUri(OTHER), h -> {}).body().length;

    assertThat(first + second).isGreaterThan(700_000);
    assertThat(a.handler.cachedBytes()).as("the older archive was evicted").isEqualTo(second);
    assertThat(store.stat(a.segmentUri(SEGMENT)).block(TIMEOUT).size()).isEqualTo(-1);
  }

  /**
   * An archive larger than the cache is not kept, so a range of it is answered with the whole
   * archive (a 200, which HTTP allows): a resuming download skips to its offset in the same bytes
   * instead of failing.
   */
  @Test
  void aRangeOfAnArchiveLargerThanTheCacheIsAnsweredWhole() {
    TestPeer a = peer("a", c -> c.withMaxCacheBytes(1000), SEGMENT);
    URI uri = URI.create(a.segmentUri(SEGMENT) + "?codec=gzip");
    byte[] whole = Answers.get(uri, h -> {}).body();
    assertThat(whole.length).isGreaterThan(1000);
    assertThat(a.handler.cachedBytes()).as("too large to keep").isZero();

    Answer range = Answers.get(uri, h -> h.set(HttpHeaderNames.RANGE, "bytes=5000-"));
    assertThat(range.status()).isEqualTo(200);
    assertThat(range.header(HttpHeaderNames.CONTENT_RANGE)).isNull();
    assertThat(range.body()).isEqualTo(whole);

    String version = store.stat(uri).block(TIMEOUT).version();
    ByteBuffer tail = ByteBuffer.allocate(whole.length - 5000);
    store.read(uri, 5000, version).collectList().block(TIMEOUT).forEach(tail::put);
    assertThat(tail.array()).isEqualTo(Arrays.copyOfRange(whole, 5000, whole.length));
    assertThat(a.handler.cachedBytes()).isZero();
  }

  @Test
  void aRemovalWaitsForTheUploadThatReadsTheSegment() throws Exception {
    TestPeer a = peer("a", c -> c, SEGMENT);
    URI uri = a.segmentUri(SEGMENT);
    a.holdUploads();

    CompletableFuture<Answer> upload =
        CompletableFuture.supplyAsync(() -> Answers.get(uri, h -> {}));
    await("the upload holds the segment, mid-stream").until(() -> a.heldUploads() == 1);
    AtomicReference<List<String>> uploadLogWhenRemoved = new AtomicReference<>();
    CompletableFuture<SegmentOutcome> removal =
        a.segments
            .remove(SegmentId.of(TestPeer.TABLE, SEGMENT))
            .doOnSuccess(outcome -> uploadLogWhenRemoved.set(a.uploadLog()))
            .toFuture();
    // The removal asks for the segment's lock, which the held upload has: it queues (or, were the
    // ordering broken, it would run and complete now).
    await("the removal queued or done")
        .until(() -> a.segments.queuedOperations() == 1 || removal.isDone());
    assertThat(removal).as("the removal while the upload holds the segment").isNotDone();
    assertThat(a.dataDir.resolve(TestPeer.TABLE).resolve(SEGMENT))
        .as("the segment while the upload holds it")
        .isDirectory();
    assertThat(a.uploadLog()).as("the upload has not ended").isEmpty();

    a.releaseUploads();
    SegmentOutcome removed = removal.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(removed.action()).isEqualTo(SegmentOutcome.Action.REMOVED);
    Answer answer = upload.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    // The removal ran once the upload had ended, and the upload read the whole segment: every file
    // complete and intact although the segment is gone now.
    assertThat(uploadLogWhenRemoved.get())
        .as("the upload when the removal completed")
        .containsExactly("upload ended");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(Answers.entries(answer.body()).keySet())
        .filteredOn(path -> !path.endsWith("/"))
        .hasSize(fixture(SEGMENT).files().size());
    fixture(SEGMENT)
        .files()
        .forEach(
            (path, file) ->
                assertThat(Answers.entries(answer.body()).get(SEGMENT + "/" + path).sha256())
                    .isEqualTo(file.sha256()));
    assertThat(Answers.get(uri, h -> {}).status()).isEqualTo(404);
  }

  private static byte[] archive(Path directory, ArchiveOptions options) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SegmentArchives.stream(
            directory,
            SEGMENT,
            creationTimeMs(SEGMENT),
            Codec.ZSTD,
            options,
            Schedulers.boundedElastic(),
            () -> null)
        .doOnNext(
            buffer -> {
              byte[] chunk = new byte[buffer.remaining()];
              buffer.get(chunk);
              out.writeBytes(chunk);
            })
        .blockLast(TIMEOUT);
    return out.toByteArray();
  }

  private static long creationTimeMs(String segment) {
    try {
      com.fasterxml.jackson.databind.JsonNode manifest =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(PinotFixtures.directory().resolve("manifest.json").toFile());
      for (com.fasterxml.jackson.databind.JsonNode s : manifest.get("segments")) {
        if (s.get("segmentName").asText().equals(segment)) {
          return s.get("creationTimeMs").asLong();
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new IllegalArgumentException(segment);
  }
}
