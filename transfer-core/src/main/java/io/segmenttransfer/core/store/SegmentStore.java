package io.segmenttransfer.core.store;

import io.segmenttransfer.core.error.SourceNotFoundException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A place segment archives live: the deep store (local files, S3) or a peer. Every method is lazy
 * and does its I/O per subscription. Failures are {@code SourceException}s:
 * {@code SourceNotFoundException}, {@code SourceAccessDeniedException},
 * {@code SourceUnavailableException} (retryable) and {@code SourceChangedException}.
 */
public interface SegmentStore {

  /** The URI schemes this store serves, lower case ({@code file}, {@code s3}, {@code http}). */
  Set<String> schemes();

  /**
   * The object's bytes from {@code offset} to its end.
   *
   * <p>Demand-driven: a chunk is read only when requested, so memory stays bounded by the
   * subscriber's demand times the store's chunk size. Emitted buffers belong to the subscriber;
   * the store never touches them again. Completes after the last byte; an {@code offset} equal to
   * the size completes at once. Cancelling stops the read and releases its connection or file.
   */
  Flux<ByteBuffer> read(URI uri, long offset);

  /** The object's size and version, or {@code SourceNotFoundException}. */
  Mono<ObjectInfo> stat(URI uri);

  /**
   * Stores {@code content} at {@code uri}, replacing any object there. The new object becomes
   * visible only once complete: on error or cancel nothing (and no partial object) is left.
   * Buffers are consumed and not retained.
   */
  Mono<Void> write(URI uri, Flux<ByteBuffer> content);

  /** Whether an object exists at {@code uri}. */
  default Mono<Boolean> exists(URI uri) {
    return stat(uri).map(info -> true).onErrorResume(SourceNotFoundException.class, e -> Mono.just(false));
  }

  /** Deletes the object; completes normally when there was none. */
  Mono<Void> delete(URI uri);
}
