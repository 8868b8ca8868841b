package io.segmenttransfer.s3;

import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.store.DescribedReads;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;

/**
 * The deep store on S3 or an S3-compatible server, for {@code s3://bucket/key} URIs, on the AWS SDK
 * v2 {@code S3AsyncClient} with its Netty HTTP client. Nothing blocks: every method returns a lazy
 * publisher that does its requests per subscription.
 *
 * <ul>
 *   <li>Reads are parallel ranged GETs ({@link S3Config#readPartSize()}, {@link
 *       S3Config#readConcurrency()}) emitted in order, pinned to one ETag with {@code If-Match}; a
 *       part that fails transiently is fetched again from its first unsent byte. The version of an
 *       object is its ETag.
 *   <li>Writes stream into a multipart upload (one PUT for a body that fits in a part) and abort it
 *       on error or cancel.
 *   <li>Failures are the core's {@code SourceException}s: not found (404), access denied (401/403),
 *       changed (412, or a range past the end), unavailable (5xx, throttling, I/O and timeouts;
 *       after the retries configured).
 * </ul>
 *
 * <p>Reads go through their own reactor-netty client ({@link S3Reads}: presigned ranged GETs, one
 * copy of the bytes); HEAD too, though a download needs none ({@link #readDescribed} takes size and
 * ETag from the first GET); the SDK client serves writes and deletes. A store made with {@link
 * #create(S3Config)} builds its SDK client on first use only, so a command that only reads never
 * pays for it (about a second of a fresh JVM), and closes it in {@link #close()}.
 */
public final class S3SegmentStore implements SegmentStore, DescribedReads, AutoCloseable {

  private final S3Config config;
  private final boolean ownsClient;
  private final AtomicReference<S3AsyncClient> client = new AtomicReference<>();
  private final RetryPolicy backoff;
  private final S3Reads gets;
  private final RangedGetReader reader;

  /**
   * A store on a client the caller keeps and closes; {@code config} gives part sizes, concurrency
   * and retries, and the endpoint, region and credentials that reads are signed with.
   */
  public S3SegmentStore(S3AsyncClient client, S3Config config) {
    this(client, config, false);
  }

  private S3SegmentStore(S3AsyncClient client, S3Config config, boolean ownsClient) {
    this.config = config;
    this.client.set(client);
    this.ownsClient = ownsClient;
    this.backoff = config.retryPolicy();
    this.gets = new S3Reads(config);
    this.reader = new RangedGetReader(gets, config, this::head);
  }

  /** A store with its own SDK client built from {@code config} when first needed. */
  public static S3SegmentStore create(S3Config config) {
    return new S3SegmentStore(null, config, true);
  }

  /**
   * The SDK client, built on first use on a thread that may block (building it reads the class path
   * and possibly profile files).
   */
  private Mono<S3AsyncClient> sdk() {
    S3AsyncClient built = client.get();
    if (built != null) {
      return Mono.just(built);
    }
    return Mono.fromCallable(this::buildOnce).subscribeOn(Schedulers.boundedElastic());
  }

  /** Whether the SDK client exists yet (built, or given): for tests. */
  boolean sdkClientBuilt() {
    return client.get() != null;
  }

  private synchronized S3AsyncClient buildOnce() {
    S3AsyncClient built = client.get();
    if (built == null) {
      built = S3Clients.build(config);
      client.set(built);
    }
    return built;
  }

  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  /**
   * The object from {@code offset}, pinned to the ETag of the first response. Completes after the
   * last byte (at once when {@code offset} is the size); errors with a {@code SourceException}
   * ({@code SourceChangedException} when the offset is past the end or the object changes
   * mid-read). The buffers are fresh heap buffers that belong to the subscriber. Cancelling aborts
   * every request in flight.
   */
  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return Flux.defer(() -> reader.read(S3Location.of(uri), offset, null));
  }

  /** As {@link #read(URI, long)}, with {@code If-Match: version} on every GET. */
  @Override
  public Flux<ByteBuffer> read(URI uri, long offset, String version) {
    return Flux.defer(() -> reader.read(S3Location.of(uri), offset, version));
  }

  /**
   * As {@link #read(URI, long)} from byte 0, telling {@code described} the size and ETag from the
   * first ranged GET's {@code Content-Range} and {@code ETag}: a download needs no HEAD first.
   */
  @Override
  public Flux<ByteBuffer> readDescribed(URI uri, Consumer<ObjectInfo> described) {
    return Flux.defer(() -> reader.read(S3Location.of(uri), 0, null, described));
  }

  /** HeadObject: the size and the ETag as the version. */
  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return Mono.defer(() -> head(S3Location.of(uri)));
  }

  private Mono<ObjectInfo> head(S3Location location) {
    // On the reads' client: a read that checks its source first never builds the SDK client.
    return Mono.defer(() -> gets.head(location))
        .retryWhen(backoff.retrySpec())
        .map(head -> new ObjectInfo(location.uri(), head.length(), head.eTag()));
  }

  /**
   * Streams {@code content} to the object. Completes once the object is in place; errors with the
   * content's own error or a {@code SourceException}. The content's buffers are copied into parts
   * and not retained.
   */
  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return sdk()
        .flatMap(sdk -> new MultipartWriter(sdk, config).write(S3Location.of(uri), content));
  }

  /** Completes normally when there was no such object. */
  @Override
  public Mono<Void> delete(URI uri) {
    return Mono.defer(
        () -> {
          S3Location location = S3Location.of(uri);
          return sdk()
              .flatMap(
                  sdk ->
                      Mono.fromFuture(
                              () ->
                                  sdk.deleteObject(
                                      DeleteObjectRequest.builder()
                                          .bucket(location.bucket())
                                          .key(location.key())
                                          .build()))
                          .onErrorMap(e -> S3Errors.map(uri, e)))
              .retryWhen(backoff.retrySpec())
              .then()
              .onErrorResume(SourceNotFoundException.class, e -> Mono.empty());
        });
  }

  /** Closes the reads' connections, and the SDK client when this store built it. */
  @Override
  public synchronized void close() {
    try {
      gets.close();
    } finally {
      S3AsyncClient built = client.get();
      if (ownsClient && built != null) {
        built.close();
      }
    }
  }
}
