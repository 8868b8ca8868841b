package io.segmenttransfer.core.store;

import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A place segment archives live: the deep store (local files, S3) or a peer. Every method is lazy
 * and does its I/O per subscription. Failures are {@code SourceException}s: {@code
 * SourceNotFoundException}, {@code SourceAccessDeniedException}, {@code SourceUnavailableException}
 * (retryable) and {@code SourceChangedException}.
 */
public interface SegmentStore {

  /** The URI schemes this store serves, lower case ({@code file}, {@code s3}, {@code http}). */
  Set<String> schemes();

  /**
   * The object's bytes from {@code offset} to its end.
   *
   * <p>Demand-driven: a chunk is read only when requested, so memory stays bounded by the
   * subscriber's demand times the store's chunk size. Emitted buffers belong to the subscriber; the
   * store never touches them again. A subscriber that lends {@link ReadBuffers} in its context may
   * get chunks taken from them; it gives each back once consumed (stores may ignore the loan).
   * Completes after the last byte; an {@code offset} equal to the size completes at once.
   * Cancelling stops the read and releases its connection or file.
   */
  Flux<ByteBuffer> read(URI uri, long offset);

  /**
   * Like {@link #read(URI, long)}, but only if the object still has {@code version} (from {@link
   * #stat}); otherwise it fails with {@code SourceChangedException}, so a resumed read never
   * splices two versions of an object. Stores with conditional reads (S3 and HTTP {@code If-Match})
   * check it in the same request; this default checks just before reading.
   */
  default Flux<ByteBuffer> read(URI uri, long offset, String version) {
    return stat(uri)
        .flatMapMany(
            info -> {
              if (!info.version().equals(version)) {
                return Flux.error(
                    new SourceChangedException(
                        uri,
                        "object changed: version " + info.version() + ", expected " + version));
              }
              return read(uri, offset);
            });
  }

  /** The object's size and version, or {@code SourceNotFoundException}. */
  Mono<ObjectInfo> stat(URI uri);

  /**
   * Stores {@code content} at {@code uri}, replacing any object there. The new object becomes
   * visible only once complete: on error or cancel nothing (and no partial object) is left. Buffers
   * are consumed and not retained.
   */
  Mono<Void> write(URI uri, Flux<ByteBuffer> content);

  /** Whether an object exists at {@code uri}. */
  default Mono<Boolean> exists(URI uri) {
    return stat(uri)
        .map(info -> true)
        .onErrorResume(SourceNotFoundException.class, e -> Mono.just(false));
  }

  /** Deletes the object; completes normally when there was none. */
  Mono<Void> delete(URI uri);
}
