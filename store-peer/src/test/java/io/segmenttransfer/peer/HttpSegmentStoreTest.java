package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStoreContract;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.peer.TestOrigin.Fault;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/** The store contract against a real HTTP server on loopback, plus the HTTP error mapping. */
class HttpSegmentStoreTest extends SegmentStoreContract {

  private static TestOrigin origin;
  private static HttpSegmentStore store;
  private static final AtomicInteger NAMES = new AtomicInteger();

  @BeforeAll
  static void start() {
    origin = new TestOrigin();
    store =
        HttpSegmentStore.create(
            HttpStoreConfig.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
  }

  @AfterAll
  static void stop() {
    store.close();
    origin.close();
  }

  @Override
  protected SegmentStore store() {
    return store;
  }

  @Override
  protected URI newUri(String name) {
    return origin.uri("/objects/" + NAMES.incrementAndGet() + "/" + name);
  }

  @Override
  protected boolean writable() {
    return false;
  }

  @Override
  protected void put(URI uri, byte[] bytes) {
    origin.put(uri.getPath(), bytes);
  }

  private URI object(byte[] bytes) {
    URI uri = newUri("object.tar.gz");
    put(uri, bytes);
    return uri;
  }

  @Test
  void resumesWithRangeAndPinsTheVersionWithIfMatch() {
    byte[] bytes = random(200_000, 11);
    URI uri = object(bytes);
    ObjectInfo info = store.stat(uri).block(TIMEOUT);
    assertThat(info.version()).isEqualTo(TestOrigin.etag(bytes));

    assertThat(collect(store.read(uri, 150_000, info.version())))
        .isEqualTo(Arrays.copyOfRange(bytes, 150_000, bytes.length));
    TestOrigin.Seen get =
        origin.seen("GET").stream()
            .filter(s -> s.path().equals(uri.getPath()))
            .findFirst()
            .orElseThrow();
    assertThat(get.range()).isEqualTo("bytes=150000-");
    assertThat(get.ifMatch()).isEqualTo("\"" + info.version() + "\"");
  }

  /**
   * A download's first attempt is one GET: its answer tells size and version as a HEAD's does,
   * before the first buffer; an error answer tells nothing.
   */
  @Test
  void aDescribedReadTellsSizeAndVersionFromItsOwnGet() {
    byte[] bytes = random(300_000, 31);
    URI uri = object(bytes);
    AtomicReference<ObjectInfo> told = new AtomicReference<>();
    List<Boolean> toldBeforeEachBuffer = new ArrayList<>();

    byte[] read =
        collect(
            store
                .readDescribed(uri, told::set)
                .doOnNext(chunk -> toldBeforeEachBuffer.add(told.get() != null)));

    assertThat(read).isEqualTo(bytes);
    assertThat(toldBeforeEachBuffer).isNotEmpty().containsOnly(true);
    assertThat(told.get()).isEqualTo(new ObjectInfo(uri, bytes.length, TestOrigin.etag(bytes)));
    assertThat(origin.seen("HEAD")).noneMatch(seen -> seen.path().equals(uri.getPath()));
    assertThat(told.get()).as("what a HEAD says").isEqualTo(store.stat(uri).block(TIMEOUT));

    URI missing = newUri("missing.tar.gz");
    AtomicReference<ObjectInfo> nothing = new AtomicReference<>();
    StepVerifier.create(store.readDescribed(missing, nothing::set))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    assertThat(nothing.get()).isNull();
  }

  /**
   * A controller may redirect a download: the described read tells what the final answer says,
   * under the URI asked, once, and a resume's HEAD and ranged GET follow the same redirect to the
   * same version.
   */
  @Test
  void aRedirectedDescribedReadTellsTheFinalAnswerOnceAndResumesThroughTheRedirect() {
    byte[] bytes = random(250_000, 33);
    URI target = object(bytes);
    DisposableServer redirecting =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes.route(
                        request -> request.uri().equals("/moved"),
                        (request, response) -> response.sendRedirect(target.toString())))
            .bindNow(TIMEOUT);
    try {
      URI moved = URI.create("http://127.0.0.1:" + redirecting.port() + "/moved");
      List<ObjectInfo> told = new java.util.concurrent.CopyOnWriteArrayList<>();

      assertThat(collect(store.readDescribed(moved, told::add))).isEqualTo(bytes);

      assertThat(told).containsExactly(new ObjectInfo(moved, bytes.length, TestOrigin.etag(bytes)));
      ObjectInfo resume = store.stat(moved).block(TIMEOUT);
      assertThat(resume).isEqualTo(told.get(0));
      assertThat(collect(store.read(moved, 200_000, resume.version())))
          .isEqualTo(Arrays.copyOfRange(bytes, 200_000, bytes.length));
      assertThat(origin.seen("GET"))
          .filteredOn(seen -> seen.path().equals(target.getPath()))
          .extracting(TestOrigin.Seen::range, TestOrigin.Seen::ifMatch)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(null, null),
              org.assertj.core.groups.Tuple.tuple("bytes=200000-", "\"" + resume.version() + "\""));
    } finally {
      redirecting.disposeNow();
    }
  }

  @Test
  void anotherVersionIsAChangedSource() {
    URI uri = object(random(1000, 12));
    StepVerifier.create(store.read(uri, 10, "some-older-etag"))
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
  }

  @Test
  void statusesMapToTheSourceErrors() {
    URI uri = object(random(1000, 13));
    origin.fail(
        uri.getPath(), Fault.status(403), Fault.status(401), Fault.status(500), Fault.status(410));
    StepVerifier.create(store.read(uri, 0))
        .expectError(SourceAccessDeniedException.class)
        .verify(TIMEOUT);
    StepVerifier.create(store.read(uri, 0))
        .expectError(SourceAccessDeniedException.class)
        .verify(TIMEOUT);
    StepVerifier.create(store.read(uri, 0))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceUnavailableException.class)
                    .satisfies(
                        u -> assertThat(((SourceUnavailableException) u).retryAfter()).isEmpty()))
        .verify(TIMEOUT);
    StepVerifier.create(store.stat(uri)).expectError(SourceNotFoundException.class).verify(TIMEOUT);
    assertThat(collect(store.read(uri, 0))).hasSize(1000);
  }

  @Test
  void a503CarriesItsRetryAfter() {
    URI uri = object(random(1000, 14));
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.now().plusSeconds(120).atOffset(ZoneOffset.UTC));
    origin.fail(
        uri.getPath(),
        Fault.status(503, "Retry-After", "7"),
        Fault.status(503, "Retry-After", date));

    StepVerifier.create(store.read(uri, 0))
        .expectErrorSatisfies(
            e ->
                assertThat(((SourceUnavailableException) e).retryAfter())
                    .contains(Duration.ofSeconds(7)))
        .verify(TIMEOUT);
    StepVerifier.create(store.stat(uri))
        .expectErrorSatisfies(
            e ->
                assertThat(((SourceUnavailableException) e).retryAfter().orElseThrow())
                    .isBetween(Duration.ofSeconds(100), Duration.ofSeconds(121)))
        .verify(TIMEOUT);
  }

  @Test
  void theBodyArrivesInChunksAsLargeAsTheFileStoresWhateverTheNetworkBuffers() {
    byte[] bytes = random(4 * HttpSegmentStore.CHUNK_SIZE + 1000, 21);
    URI uri = object(bytes);
    List<ByteBuffer> chunks = store.read(uri, 0).collectList().block(TIMEOUT);

    assertThat(chunks).hasSize(5);
    assertThat(chunks.subList(0, 4))
        .allMatch(chunk -> chunk.remaining() == HttpSegmentStore.CHUNK_SIZE);
    assertThat(chunks.get(4).remaining()).isEqualTo(1000);
    ByteBuffer all = ByteBuffer.allocate(bytes.length);
    chunks.forEach(all::put);
    assertThat(all.array()).isEqualTo(bytes);
  }

  @Test
  void cancellingInTheMiddleOfTheBodyLeavesNothingHeld() {
    // NettyLeaks fails the class when a network buffer held for the copy is never released.
    URI uri = object(random(64 * HttpSegmentStore.CHUNK_SIZE, 22));
    for (int i = 0; i < 20; i++) {
      StepVerifier.create(store.read(uri, 0).take(1 + i % 3), 1)
          .expectNextCount(1)
          .thenRequest(Long.MAX_VALUE)
          .thenConsumeWhile(b -> true)
          .expectComplete()
          .verify(TIMEOUT);
    }
    StepVerifier.create(store.read(uri, 0)).expectNextCount(64).expectComplete().verify(TIMEOUT);
  }

  @Test
  void aBodyCutShortIsUnavailable() {
    URI uri = object(random(300_000, 15));
    origin.fail(uri.getPath(), Fault.cutAfter(100_000));
    AtomicInteger received = new AtomicInteger();

    StepVerifier.create(store.read(uri, 0).doOnNext(b -> received.addAndGet(b.remaining())))
        .thenConsumeWhile(b -> true)
        .expectError(SourceUnavailableException.class)
        .verify(TIMEOUT);
    assertThat(received.get()).isEqualTo(100_000);
  }

  @Test
  void aRefusedConnectionIsNotFoundAndNotRetriedEvenOnAOneDigitPort() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    // Nothing listens there: retrying at once cannot help, so it is not a transient failure. Port
    // 9 checks the URI reaches the port (reactor-netty#4357 read it as part of the host).
    for (int port : new int[] {closedPort, 9}) {
      URI uri = URI.create("http://127.0.0.1:" + port + "/segments/t_OFFLINE/s");
      String said = "connection refused: nothing is listening on 127.0.0.1:" + port;
      StepVerifier.create(store.read(uri, 0))
          .expectErrorSatisfies(
              e ->
                  org.assertj.core.api.Assertions.assertThat(e)
                      .isInstanceOf(io.segmenttransfer.core.error.SourceNotFoundException.class)
                      .hasMessageContaining(said))
          .verify(TIMEOUT);
      StepVerifier.create(store.stat(uri))
          .expectErrorSatisfies(
              e ->
                  org.assertj.core.api.Assertions.assertThat(e)
                      .isInstanceOf(io.segmenttransfer.core.error.SourceNotFoundException.class)
                      .matches(error -> !((SourceException) error).isRetryable()))
          .verify(TIMEOUT);
    }
  }

  @Test
  void aSourceWithoutETagNeverLooksLikeTheSameVersionTwice() {
    TestOrigin plain = new TestOrigin();
    try {
      plain.withoutETags();
      plain.put("/a", random(100, 16));
      URI uri = plain.uri("/a");
      ObjectInfo first = store.stat(uri).block(TIMEOUT);
      ObjectInfo second = store.stat(uri).block(TIMEOUT);
      assertThat(first.size()).isEqualTo(100);
      assertThat(first.version()).isNotEqualTo(second.version());
      // An invented version is never sent as If-Match.
      assertThat(collect(store.read(uri, 0, first.version()))).hasSize(100);
      assertThat(plain.seen("GET").get(0).ifMatch()).isNull();
    } finally {
      plain.close();
    }
  }

  @Test
  void isReadOnly() {
    URI uri = newUri("write.tar.gz");
    StepVerifier.create(store.write(uri, Flux.just(ByteBuffer.allocate(1))))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("read-only"))
        .verify(TIMEOUT);
    StepVerifier.create(store.delete(uri))
        .expectError(InvalidRequestException.class)
        .verify(TIMEOUT);
    assertThat(store.schemes()).containsExactlyInAnyOrder("http", "https");
  }

  @Test
  void entityTagsAndRetryAfterParse() {
    assertThat(HttpErrors.stripETag("W/\"abc\"")).isEqualTo("abc");
    assertThat(HttpErrors.stripETag("\"1-gzip-v1\"")).isEqualTo("1-gzip-v1");
    assertThat(HttpErrors.stripETag("plain")).isEqualTo("plain");
    Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
    assertThat(
            HttpErrors.retryAfter(
                new DefaultHttpHeaders().add("Retry-After", "Sat, 21 Nov 2026 10:00:30 GMT"),
                clock))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(HttpErrors.retryAfter(new DefaultHttpHeaders().add("Retry-After", "soon"), clock))
        .isNull();
    assertThatThrownBy(() -> new HttpStoreConfig(Duration.ZERO, Duration.ofSeconds(1), 1, true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
