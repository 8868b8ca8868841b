package io.segmenttransfer.s3;

import static io.segmenttransfer.core.testing.Waits.await;
import static io.segmenttransfer.s3.S3TestServer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.s3.FaultProxy.Before;
import io.segmenttransfer.s3.FaultProxy.ResetAfter;
import io.segmenttransfer.s3.FaultProxy.StallAfter;
import io.segmenttransfer.s3.FaultProxy.Status;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Reads through a fault-injecting proxy in front of the S3 server: resets, 503s, stalls, errors and
 * an object replaced mid-read. Each test checks the bytes delivered are exactly the object's (or a
 * prefix of them before the expected error) and, from the proxy's request log, how the store got
 * there.
 */
class S3FaultInjectionTest {

  private static final int PART = 64 * 1024;
  private static final int CONCURRENCY = 4;
  private static final int MAX_ATTEMPTS = 4;
  private static final int SIZE = 2 * 1024 * 1024 + 123;

  /** The object's parts: 33 full ones and a short last one. */
  private static final int PARTS = (SIZE + PART - 1) / PART;

  private static S3TestServer server;
  private static URI uri;
  private static byte[] bytes;
  private static String etag;

  private FaultProxy proxy;
  private S3SegmentStore store;

  @BeforeAll
  static void putObject() {
    server = S3TestServer.shared();
    uri = S3TestServer.newUri("faults.tar.gz");
    bytes = S3TestServer.random(SIZE, 42);
    server.put(uri, bytes);
    etag = server.direct().stat(uri).block(TIMEOUT).version();
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private S3SegmentStore storeThroughProxy(Duration readTimeout) {
    proxy = new FaultProxy(server.endpoint());
    store =
        S3SegmentStore.create(
            S3TestServer.config(proxy.endpoint())
                .withReadParts(PART, CONCURRENCY)
                .withTimeouts(Duration.ofSeconds(5), readTimeout)
                .withRetry(MAX_ATTEMPTS, Duration.ofMillis(20), Duration.ofMillis(200)));
    return store;
  }

  private S3SegmentStore storeThroughProxy() {
    return storeThroughProxy(Duration.ofSeconds(10));
  }

  @Test
  void aResetInThePartIsResumedFromTheByteItStoppedAt() {
    S3SegmentStore store = storeThroughProxy();
    long partStart = 5L * PART;
    proxy.rule(
        r ->
            r.rangeStart() == partStart && r.number() <= PARTS
                ? new ResetAfter(20_000)
                : FaultProxy.PASS);

    assertThat(S3TestServer.collect(store.read(uri, 0))).isEqualTo(bytes);

    List<FaultProxy.Request> part =
        proxy.gets().stream()
            .filter(r -> r.rangeStart() >= partStart && r.rangeStart() < partStart + PART)
            .toList();
    assertThat(part).hasSize(2);
    // The retry starts after the bytes already delivered (not at the part's start) and ends at the
    // part's end.
    assertThat(part.get(1).rangeStart())
        .isGreaterThan(partStart)
        .isLessThanOrEqualTo(partStart + 20_000);
    assertThat(part.get(1).range()).endsWith("-" + (partStart + PART - 1));
    assertThat(proxy.gets()).hasSize(PARTS + 1);
    // Every GET after the first is pinned to the ETag of the first response.
    assertThat(proxy.gets().subList(1, PARTS + 1))
        .allSatisfy(r -> assertThat(r.ifMatch()).isEqualTo(etag));
  }

  @Test
  void aResetInTheFirstPartIsResumedToo() {
    S3SegmentStore store = storeThroughProxy();
    proxy.rule(r -> r.number() == 1 ? new ResetAfter(30_000) : FaultProxy.PASS);

    assertThat(S3TestServer.collect(store.read(uri, 1000)))
        .isEqualTo(Arrays.copyOfRange(bytes, 1000, SIZE));
    int partsFromOffset = (SIZE - 1000 + PART - 1) / PART;
    assertThat(proxy.gets()).hasSize(partsFromOffset + 1);
    assertThat(proxy.gets())
        .filteredOn(r -> r.rangeStart() > 1000 && r.rangeStart() <= 31_000)
        .hasSize(1);
  }

  @Test
  void slowDownIsRetriedForThatPartAlone() {
    S3SegmentStore store = storeThroughProxy();
    proxy.rule(r -> r.number() == 3 ? new Status(503, "SlowDown", null) : FaultProxy.PASS);

    assertThat(S3TestServer.collect(store.read(uri, 0))).isEqualTo(bytes);
    assertThat(proxy.gets()).hasSize(PARTS + 1);
    // Parts are requested in parallel, so arrival order is not request order: find request 3 by
    // number.
    long failedRange =
        proxy.gets().stream().filter(r -> r.number() == 3).findFirst().orElseThrow().rangeStart();
    assertThat(proxy.gets()).filteredOn(r -> r.rangeStart() == failedRange).hasSize(2);
  }

  @Test
  void retryAfterIsHonoured() {
    S3SegmentStore store = storeThroughProxy();
    proxy.rule(r -> r.number() == 2 ? new Status(503, "SlowDown", "1") : FaultProxy.PASS);

    long start = System.nanoTime();
    assertThat(S3TestServer.collect(store.read(uri, 0))).isEqualTo(bytes);
    // The configured backoff is at most 200 ms; the server asked for a second.
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
  }

  @Test
  void aPartThatKeepsFailingFailsTheReadAfterMaxAttempts() {
    S3SegmentStore store = storeThroughProxy();
    long partStart = 7L * PART;
    proxy.rule(
        r -> r.rangeStart() == partStart ? new Status(503, "SlowDown", null) : FaultProxy.PASS);

    StepVerifier.create(store.read(uri, 0))
        .thenConsumeWhile(b -> true)
        .expectError(SourceUnavailableException.class)
        .verify(TIMEOUT);
    assertThat(proxy.gets()).filteredOn(r -> r.rangeStart() == partStart).hasSize(MAX_ATTEMPTS);
  }

  @Test
  void aStalledBodyTimesOutAndIsResumed() {
    S3SegmentStore store = storeThroughProxy(Duration.ofMillis(700));
    proxy.rule(r -> r.number() == 4 ? new StallAfter(10_000) : FaultProxy.PASS);

    assertThat(S3TestServer.collect(store.read(uri, 0))).isEqualTo(bytes);
    assertThat(proxy.gets()).hasSize(PARTS + 1);
  }

  @Test
  void anObjectReplacedBetweenRangedReadsIsAChangeNotAMix() {
    URI replaced = S3TestServer.newUri("replaced.tar.gz");
    server.put(replaced, bytes);
    byte[] other = S3TestServer.random(SIZE, 43);
    S3SegmentStore store = storeThroughProxy();
    // The object is replaced before the second GET (the second part) reaches the server.
    proxy.rule(
        r ->
            r.number() == 2
                ? new Before(server.direct().write(replaced, S3TestServer.chunks(other, 1 << 20)))
                : FaultProxy.PASS);
    ByteArrayOutputStream delivered = new ByteArrayOutputStream();

    StepVerifier.create(store.read(replaced, 0).doOnNext(b -> delivered.writeBytes(copy(b))))
        .thenConsumeWhile(b -> true)
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
    byte[] got = delivered.toByteArray();
    assertThat(got.length).isLessThan(SIZE);
    assertThat(got).isEqualTo(Arrays.copyOf(bytes, got.length));
  }

  @Test
  void aReadPinnedToAVersionFailsOnceTheObjectChanged() {
    URI replaced = S3TestServer.newUri("pinned.tar.gz");
    server.put(replaced, bytes);
    String version = server.direct().stat(replaced).block(TIMEOUT).version();
    server.put(replaced, S3TestServer.random(SIZE, 44));
    S3SegmentStore store = storeThroughProxy();

    StepVerifier.create(store.read(replaced, 12345, version))
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
    assertThat(proxy.gets()).hasSize(1);
    assertThat(proxy.gets().get(0).ifMatch()).isEqualTo(version);
  }

  @Test
  void forbiddenIsNotRetried() {
    S3SegmentStore store = storeThroughProxy();
    proxy.rule(r -> r.number() == 2 ? new Status(403, "AccessDenied", null) : FaultProxy.PASS);

    StepVerifier.create(store.read(uri, 0))
        .thenConsumeWhile(b -> true)
        .expectError(SourceAccessDeniedException.class)
        .verify(TIMEOUT);
    long denied = proxy.gets().get(1).rangeStart();
    assertThat(proxy.gets()).filteredOn(r -> r.rangeStart() == denied).hasSize(1);
  }

  @Test
  void notFoundIsNotRetried() {
    S3SegmentStore store = storeThroughProxy();
    proxy.rule(r -> new Status(404, "NoSuchKey", null));

    StepVerifier.create(store.read(uri, 0))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    assertThat(proxy.gets()).hasSize(1);
  }

  @Test
  void aSlowConsumerHoldsAtMostConcurrencyPartsInFlight() {
    S3SegmentStore store = storeThroughProxy();

    AtomicLong handedOver = new AtomicLong();
    StepVerifier.create(store.read(uri, 0), 1)
        .consumeNextWith(chunk -> handedOver.set(chunk.remaining()))
        .then(
            () -> {
              // A part smaller than a chunk is handed over whole: it is the consumer's, no longer
              // in flight.
              int partsTaken = (int) (handedOver.get() / PART);
              // The read-ahead issues its parts, then asks for no more while the consumer holds
              // back.
              await("the read-ahead issued its parts")
                  .until(() -> proxy.gets().size() >= CONCURRENCY + partsTaken);
              await("no part requested beyond the read-ahead")
                  .during(Duration.ofMillis(300))
                  .atMost(Duration.ofSeconds(5))
                  .until(() -> proxy.gets().size() == CONCURRENCY + partsTaken);
              // Headers aside, what left the server is at most the parts in flight, far from the
              // whole object.
              assertThat(proxy.bodyBytesSent())
                  .isLessThanOrEqualTo((long) (CONCURRENCY + partsTaken) * PART);
            })
        .thenRequest(Long.MAX_VALUE)
        .thenConsumeWhile(b -> true)
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(proxy.gets()).hasSize(PARTS);
  }

  @Test
  void cancellingAbortsEveryRequestInFlight() {
    S3SegmentStore store = storeThroughProxy(Duration.ofSeconds(30));
    proxy.rule(r -> new StallAfter(1000));

    Disposable read = store.read(uri, 0).subscribe();
    await("all parts requested")
        .atMost(Duration.ofSeconds(10))
        .until(() -> proxy.openConnections() == CONCURRENCY);
    read.dispose();
    // Every stalled response's connection is closed by the client: nothing keeps downloading.
    await("connections closed after cancel")
        .atMost(Duration.ofSeconds(10))
        .until(() -> proxy.openConnections() == 0);
    assertThat(proxy.gets()).hasSize(CONCURRENCY);
  }

  @Test
  void aWriteCancelledWhileItsUploadIsBeingCreatedAbortsThatUpload() {
    proxy = new FaultProxy(server.endpoint());
    store =
        S3SegmentStore.create(
            S3TestServer.config(proxy.endpoint()).withUploadParts(S3TestServer.MIN_UPLOAD_PART, 2));
    URI target = S3TestServer.newUri("cancelled-while-creating");
    // The create request reaches S3 only after the writer has gone away: the proxy holds it until
    // the test has cancelled the write (a fixed delay instead let a slow look at the request log
    // cancel after the upload was created and its parts sent).
    Sinks.Empty<Void> writerGone = Sinks.empty();
    proxy.rule(r -> isCreateUpload(r) ? new Before(writerGone.asMono()) : FaultProxy.PASS);
    Flux<ByteBuffer> body =
        S3TestServer.chunks(S3TestServer.random(2 * S3TestServer.MIN_UPLOAD_PART + 1, 7), 1 << 20)
            .concatWith(Flux.never());

    Disposable write = store.write(target, body).subscribe();
    await("upload creation requested")
        .atMost(Duration.ofSeconds(10))
        .until(() -> proxy.requests().stream().anyMatch(S3FaultInjectionTest::isCreateUpload));
    write.dispose();
    writerGone.tryEmitEmpty();

    await("the upload created after the cancel aborted")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                proxy.requests().stream()
                    .anyMatch(r -> r.method().equals("DELETE") && r.uri().contains("uploadId=")));
    await("no upload left under the key")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.uploadsUnder(target).isEmpty());
    assertThat(proxy.requests()).noneMatch(r -> r.method().equals("PUT"));
  }

  private static boolean isCreateUpload(FaultProxy.Request r) {
    return r.method().equals("POST")
        && r.uri().contains("uploads")
        && !r.uri().contains("uploadId");
  }

  private static byte[] copy(ByteBuffer buffer) {
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }
}
