package io.segmenttransfer.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * What every {@link SegmentStore} must do. A store's module extends this class, supplies a store
 * and a fresh URI per test, and runs it against a real backend (files, an S3 API server, a peer).
 */
public abstract class SegmentStoreContract {

  protected static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The store under test. */
  protected abstract SegmentStore store();

  /** A URI for a new, not yet existing object. */
  protected abstract URI newUri(String name);

  /** Whether {@link SegmentStore#write} is supported (a peer store only reads). */
  protected boolean writable() {
    return true;
  }

  /** Puts bytes at a URI by whatever means the backend has. Defaults to the store's own write. */
  protected void put(URI uri, byte[] bytes) {
    store().write(uri, chunks(bytes, 100_000)).block(TIMEOUT);
  }

  protected static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  protected static Flux<ByteBuffer> chunks(byte[] bytes, int size) {
    return Flux.range(0, (bytes.length + size - 1) / size)
        .map(
            i ->
                ByteBuffer.wrap(
                    Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size))));
  }

  protected static byte[] collect(Flux<ByteBuffer> flux) {
    return flux.reduce(
            new java.io.ByteArrayOutputStream(),
            (out, buffer) -> {
              byte[] chunk = new byte[buffer.remaining()];
              buffer.get(chunk);
              out.writeBytes(chunk);
              return out;
            })
        .map(java.io.ByteArrayOutputStream::toByteArray)
        .defaultIfEmpty(new byte[0])
        .block(TIMEOUT);
  }

  @Test
  void readsBackWhatWasWritten() {
    URI uri = newUri("round-trip.tar.gz");
    byte[] bytes = random(3 * 1024 * 1024 + 17, 1);
    put(uri, bytes);

    assertThat(collect(store().read(uri, 0))).isEqualTo(bytes);
  }

  @Test
  void readsFromAnOffset() {
    URI uri = newUri("offset.tar.gz");
    byte[] bytes = random(1024 * 1024 + 5, 2);
    put(uri, bytes);

    assertThat(collect(store().read(uri, 777_777)))
        .isEqualTo(Arrays.copyOfRange(bytes, 777_777, bytes.length));
    assertThat(collect(store().read(uri, bytes.length))).isEmpty();
  }

  @Test
  void statsSizeAndAStableVersion() {
    URI uri = newUri("stat.tar.gz");
    byte[] bytes = random(12_345, 3);
    put(uri, bytes);

    ObjectInfo first = store().stat(uri).block(TIMEOUT);
    ObjectInfo second = store().stat(uri).block(TIMEOUT);
    assertThat(first.size()).isEqualTo(bytes.length);
    assertThat(first.version()).isNotBlank().isEqualTo(second.version());
  }

  @Test
  void aMissingObjectIsNotFound() {
    URI uri = newUri("missing.tar.gz");

    StepVerifier.create(store().read(uri, 0))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    StepVerifier.create(store().stat(uri))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    assertThat(store().exists(uri).block(TIMEOUT)).isFalse();
  }

  @Test
  void readingPastTheEndIsAnError() {
    URI uri = newUri("short.tar.gz");
    put(uri, random(100, 4));

    StepVerifier.create(store().read(uri, 101))
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
  }

  @Test
  void readsOnlyWhatIsRequested() {
    URI uri = newUri("demand.tar.gz");
    byte[] bytes = random(8 * 1024 * 1024, 5);
    put(uri, bytes);
    AtomicInteger received = new AtomicInteger();

    StepVerifier.create(store().read(uri, 0).doOnNext(b -> received.addAndGet(b.remaining())), 1)
        .expectNextCount(1)
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(received.get()).isPositive().isLessThan(bytes.length);
  }

  @Test
  void writeReplacesAnExistingObject() {
    if (!writable()) {
      return;
    }
    URI uri = newUri("replace.tar.gz");
    put(uri, random(5000, 6));
    byte[] second = random(7000, 7);
    store().write(uri, chunks(second, 1000)).block(TIMEOUT);

    assertThat(collect(store().read(uri, 0))).isEqualTo(second);
  }

  @Test
  void aFailedWriteLeavesNoObject() {
    if (!writable()) {
      return;
    }
    URI uri = newUri("failed-write.tar.gz");
    Flux<ByteBuffer> failing =
        chunks(random(300_000, 8), 50_000)
            .concatWith(Flux.error(new IllegalStateException("source broke")));

    StepVerifier.create(store().write(uri, failing))
        .expectError(IllegalStateException.class)
        .verify(TIMEOUT);
    assertThat(store().exists(uri).block(TIMEOUT)).isFalse();
  }

  @Test
  void deleteRemovesAndToleratesMissing() {
    if (!writable()) {
      return;
    }
    URI uri = newUri("delete.tar.gz");
    put(uri, random(10, 9));
    assertThat(store().exists(uri).block(TIMEOUT)).isTrue();

    store().delete(uri).block(TIMEOUT);
    store().delete(uri).block(TIMEOUT);
    assertThat(store().exists(uri).block(TIMEOUT)).isFalse();
  }
}
