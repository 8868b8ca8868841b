package io.segmenttransfer.s3;

import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;

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
 * A store made with {@link #create(S3Config)} owns its client and closes it in {@link #close()}.
 */
public final class S3SegmentStore implements SegmentStore, AutoCloseable {

  private final S3AsyncClient client;
  private final boolean ownsClient;
  private final RetryPolicy backoff;
  private final RangedGetReader reader;
  private final MultipartWriter writer;

  /**
   * A store on a client the caller keeps and closes; {@code config} gives part sizes, concurrency
   * and retries.
   */
  public S3SegmentStore(S3AsyncClient client, S3Config config) {
    this(client, config, false);
  }

  private S3SegmentStore(S3AsyncClient client, S3Config config, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.backoff = config.retryPolicy();
    this.reader = new RangedGetReader(client, config, this::head);
    this.writer = new MultipartWriter(client, config);
  }

  /** A store with its own client built from {@code config}. */
  public static S3SegmentStore create(S3Config config) {
    return new S3SegmentStore(S3Clients.build(config), config, true);
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

  /** HeadObject: the size and the ETag as the version. */
  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return Mono.defer(() -> head(S3Location.of(uri)));
  }

  private Mono<ObjectInfo> head(S3Location location) {
    return Mono.defer(
            () ->
                Mono.fromFuture(
                        () ->
                            client.headObject(
                                HeadObjectRequest.builder()
                                    .bucket(location.bucket())
                                    .key(location.key())
                                    .build()))
                    .onErrorMap(e -> S3Errors.map(location.uri(), e)))
        .retryWhen(backoff.retrySpec())
        .map(head -> new ObjectInfo(location.uri(), head.contentLength(), head.eTag()));
  }

  /**
   * Streams {@code content} to the object. Completes once the object is in place; errors with the
   * content's own error or a {@code SourceException}. The content's buffers are copied into parts
   * and not retained.
   */
  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return Mono.defer(() -> writer.write(S3Location.of(uri), content));
  }

  /** Completes normally when there was no such object. */
  @Override
  public Mono<Void> delete(URI uri) {
    return Mono.defer(
        () -> {
          S3Location location = S3Location.of(uri);
          return Mono.defer(
                  () ->
                      Mono.fromFuture(
                              () ->
                                  client.deleteObject(
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

  /** Closes the client when this store built it. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
