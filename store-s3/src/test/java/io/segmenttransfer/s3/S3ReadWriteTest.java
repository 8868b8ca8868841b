package io.segmenttransfer.s3;

import static io.segmenttransfer.core.testing.Waits.await;
import static io.segmenttransfer.s3.S3TestServer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * Reads and writes against the S3 server directly: part boundaries, versions, multipart, aborts,
 * errors.
 */
class S3ReadWriteTest {

  private static final int PART = 64 * 1024;
  private static S3TestServer server;
  private static S3SegmentStore store;

  @BeforeAll
  static void start() {
    server = S3TestServer.shared();
    store =
        S3SegmentStore.create(
            S3TestServer.config(server.endpoint())
                .withReadParts(PART, 3)
                .withUploadParts(S3TestServer.MIN_UPLOAD_PART, 2));
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  @ParameterizedTest(name = "size {0} from {1}")
  @CsvSource({
    "1, 0",
    "65535, 0",
    "65536, 0",
    "65537, 0",
    "65537, 65536",
    "65537, 1",
    "327687, 0",
    "327687, 65535",
    "327687, 200000",
    "327687, 327686"
  })
  void readsExactlyTheBytesAcrossPartBoundaries(int size, int offset) {
    URI uri = S3TestServer.newUri("boundaries");
    byte[] bytes = S3TestServer.random(size, size);
    server.put(uri, bytes);

    assertThat(S3TestServer.collect(store.read(uri, offset)))
        .isEqualTo(Arrays.copyOfRange(bytes, offset, size));
  }

  @Test
  void anEmptyObjectReadsAsNothing() {
    URI uri = S3TestServer.newUri("empty");
    server.put(uri, new byte[0]);

    assertThat(S3TestServer.collect(store.read(uri, 0))).isEmpty();
    assertThat(store.stat(uri).block(TIMEOUT).size()).isZero();
    StepVerifier.create(store.read(uri, 1))
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
  }

  @Test
  void aReadAtTheCurrentVersionSucceedsAndAtAnOldOneFails() {
    URI uri = S3TestServer.newUri("versioned");
    byte[] first = S3TestServer.random(300_000, 1);
    server.put(uri, first);
    String version = store.stat(uri).block(TIMEOUT).version();

    assertThat(S3TestServer.collect(store.read(uri, 70_000, version)))
        .isEqualTo(Arrays.copyOfRange(first, 70_000, first.length));

    server.put(uri, S3TestServer.random(300_000, 2));
    StepVerifier.create(store.read(uri, 0, version))
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
    StepVerifier.create(store.read(uri, 300_000, version))
        .expectError(SourceChangedException.class)
        .verify(TIMEOUT);
  }

  @Test
  void aLargeBodyIsUploadedInPartsAndReadsBackExactly() {
    URI uri = S3TestServer.newUri("multipart");
    byte[] bytes = S3TestServer.random(2 * S3TestServer.MIN_UPLOAD_PART + 12_345, 3);
    // Odd chunk sizes, so parts are assembled from pieces of many chunks.
    Random random = new Random(4);
    Flux<ByteBuffer> content =
        Flux.generate(
            () -> 0,
            (position, sink) -> {
              if (position >= bytes.length) {
                sink.complete();
                return position;
              }
              int n = Math.min(bytes.length - position, 1 + random.nextInt(300_000));
              sink.next(ByteBuffer.wrap(Arrays.copyOfRange(bytes, position, position + n)));
              return position + n;
            });

    store.write(uri, content).block(TIMEOUT);

    assertThat(store.stat(uri).block(TIMEOUT).size()).isEqualTo(bytes.length);
    // A multipart ETag ends with -<parts>.
    assertThat(store.stat(uri).block(TIMEOUT).version()).endsWith("-3\"");
    assertThat(S3TestServer.collect(store.read(uri, 0))).isEqualTo(bytes);
  }

  @Test
  void aFailedMultipartUploadIsAbortedAndLeavesNoObject() {
    URI uri = S3TestServer.newUri("failed-multipart");
    Flux<ByteBuffer> failing =
        S3TestServer.chunks(S3TestServer.random(2 * S3TestServer.MIN_UPLOAD_PART + 1, 5), 1 << 20)
            .concatWith(Flux.error(new IllegalStateException("source broke")));

    StepVerifier.create(store.write(uri, failing))
        .expectError(IllegalStateException.class)
        .verify(TIMEOUT);

    assertThat(store.exists(uri).block(TIMEOUT)).isFalse();
    assertThat(server.uploadsUnder(uri)).isEmpty();
  }

  @Test
  void aCancelledMultipartUploadIsAborted() {
    URI uri = S3TestServer.newUri("cancelled-multipart");
    Flux<ByteBuffer> endless =
        S3TestServer.chunks(S3TestServer.random(2 * S3TestServer.MIN_UPLOAD_PART + 1, 6), 1 << 20)
            .concatWith(Flux.never());

    Disposable write = store.write(uri, endless).subscribe();
    await("the multipart upload started")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !server.uploadsUnder(uri).isEmpty());
    write.dispose();
    await("the cancelled upload aborted")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.uploadsUnder(uri).isEmpty());
    assertThat(store.exists(uri).block(TIMEOUT)).isFalse();
  }

  @Test
  void wrongCredentialsAreAccessDenied() {
    URI uri = S3TestServer.newUri("secret");
    server.put(uri, new byte[] {1, 2, 3});
    try (S3SegmentStore intruder =
        S3SegmentStore.create(
            S3TestServer.config(server.endpoint())
                .withCredentials(
                    new S3Config.Credentials(S3TestServer.ACCESS_KEY, "wrong-secret")))) {
      StepVerifier.create(intruder.read(uri, 0))
          .expectError(SourceAccessDeniedException.class)
          .verify(TIMEOUT);
      StepVerifier.create(intruder.stat(uri))
          .expectError(SourceAccessDeniedException.class)
          .verify(TIMEOUT);
    }
  }

  @Test
  void aMissingBucketIsNotFound() {
    URI uri = URI.create("s3://no-such-bucket/segment.tar.gz");

    StepVerifier.create(store.read(uri, 0))
        .expectError(SourceNotFoundException.class)
        .verify(TIMEOUT);
    StepVerifier.create(store.stat(uri)).expectError(SourceNotFoundException.class).verify(TIMEOUT);
  }
}
