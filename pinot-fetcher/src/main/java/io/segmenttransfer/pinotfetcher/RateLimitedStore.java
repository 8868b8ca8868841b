package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.core.store.DescribedReads;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A store whose reads pass one download's {@link ByteRateLimit}; everything else is delegated. */
sealed class RateLimitedStore implements SegmentStore permits RateLimitedStore.Described {

  private final SegmentStore delegate;
  private final ByteRateLimit limit;

  private RateLimitedStore(SegmentStore delegate, ByteRateLimit limit) {
    this.delegate = delegate;
    this.limit = limit;
  }

  /**
   * {@code delegate} limited, still {@link DescribedReads} when it is: a limited download keeps its
   * first attempt to one request (no HEAD before the GET) as an unlimited one does.
   */
  static RateLimitedStore of(SegmentStore delegate, ByteRateLimit limit) {
    return delegate instanceof DescribedReads
        ? new Described(delegate, limit)
        : new RateLimitedStore(delegate, limit);
  }

  /** The limited store of a {@link DescribedReads} delegate. */
  static final class Described extends RateLimitedStore implements DescribedReads {

    private Described(SegmentStore delegate, ByteRateLimit limit) {
      super(delegate, limit);
    }

    @Override
    public Flux<ByteBuffer> readDescribed(URI uri, Consumer<ObjectInfo> described) {
      return super.limit.apply(((DescribedReads) super.delegate).readDescribed(uri, described));
    }
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
