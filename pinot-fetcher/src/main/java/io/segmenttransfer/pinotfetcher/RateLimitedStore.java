package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A store whose reads pass one download's {@link ByteRateLimit}; everything else is delegated. */
final class RateLimitedStore implements SegmentStore {

  private final SegmentStore delegate;
  private final ByteRateLimit limit;

  RateLimitedStore(SegmentStore delegate, ByteRateLimit limit) {
    this.delegate = delegate;
    this.limit = limit;
  }

  @Override
  public Set<String> schemes() {
    return delegate.schemes();
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return limit.apply(delegate.read(uri, offset));
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset, String version) {
    return limit.apply(delegate.read(uri, offset, version));
  }

  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return delegate.stat(uri);
  }

  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return delegate.write(uri, content);
  }

  @Override
  public Mono<Boolean> exists(URI uri) {
    return delegate.exists(uri);
  }

  @Override
  public Mono<Void> delete(URI uri) {
    return delegate.delete(uri);
  }
}
